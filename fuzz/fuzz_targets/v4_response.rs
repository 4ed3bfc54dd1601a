//! Decode v4 onion responses and requests: must never panic, and what decodes re-encodes to
//! something that decodes to the same value.
#![no_main]

use session_protocol::onion::{V4Request, V4Response};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(response) = V4Response::decode(data) {
        assert_eq!(V4Response::decode(&response.encode()).ok(), Some(response));
    }
    if let Ok(request) = V4Request::decode(data) {
        assert_eq!(V4Request::decode(&request.encode()).ok(), Some(request));
    }
});

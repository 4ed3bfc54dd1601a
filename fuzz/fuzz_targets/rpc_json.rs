//! Feeds arbitrary bytes to the storage-RPC request parser (directly and spliced in as the
//! params of a batch sub-request) and to the response parsers. Nothing may panic, and anything
//! that parses must re-serialise to an equal request.
#![no_main]

use session_protocol::rpc::response::{parse_response, BatchResponse, StoreResponse};
use session_protocol::rpc::Request;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(req) = Request::parse(data) {
        let _ = req.verify(1_700_000_000_000);
        let again = Request::parse(&req.to_body());
        assert_eq!(again.as_ref(), Ok(&req));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for method in ["store", "retrieve", "expire", "delete_all", "get_expiries"] {
            let batch = format!(
                r#"{{"method":"batch","params":{{"requests":[{{"method":"{method}","params":{text}}}]}}}}"#
            );
            if let Ok(req) = Request::parse(batch.as_bytes()) {
                let _ = req.verify(1_700_000_000_000);
                assert_eq!(Request::parse(&req.to_body()).as_ref(), Ok(&req));
            }
        }
    }
    let _ = parse_response::<StoreResponse>(data);
    let _ = parse_response::<BatchResponse>(data);
});

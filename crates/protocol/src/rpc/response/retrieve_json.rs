//! The `retrieve` answer written straight to bytes.
//!
//! A full mailbox is dozens of messages of base64 text. Through serde each message's data is
//! first encoded into a `String` of its own, then scanned for characters to escape and copied
//! into an output buffer that grows by doubling. Here the buffer is sized once and the base64
//! is encoded in place; base64 never needs escaping. The bytes are exactly serde's (a test
//! compares them).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::{RetrieveResponse, RetrievedMessage};

/// JSON bytes of one message besides its hash and data, generously (keys, quotes, two u64s).
const PER_MESSAGE_JSON: usize = 96;

impl RetrieveResponse {
    /// The answer as JSON, byte for byte what `serde_json::to_vec` writes.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let capacity = 64
            + self
                .messages
                .iter()
                .map(|m| PER_MESSAGE_JSON + m.hash.len() + base64_len(m.data.len()))
                .sum::<usize>();
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"messages\":[");
        for (i, message) in self.messages.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_message(&mut out, message);
        }
        out.extend_from_slice(b"],\"more\":");
        out.extend_from_slice(if self.more { b"true" } else { b"false" });
        if let Some(t) = self.t {
            out.extend_from_slice(b",\"t\":");
            push_u64(&mut out, t);
        }
        if let Some([major, minor]) = self.hf {
            out.extend_from_slice(b",\"hf\":[");
            push_u64(&mut out, major.into());
            out.push(b',');
            push_u64(&mut out, minor.into());
            out.push(b']');
        }
        out.push(b'}');
        out
    }
}

fn write_message(out: &mut Vec<u8>, message: &RetrievedMessage) {
    out.extend_from_slice(b"{\"hash\":");
    push_str(out, &message.hash);
    out.extend_from_slice(b",\"timestamp\":");
    push_u64(out, message.timestamp);
    out.extend_from_slice(b",\"expiration\":");
    push_u64(out, message.expiry);
    out.extend_from_slice(b",\"data\":\"");
    let start = out.len();
    out.resize(start + base64_len(message.data.len()), 0);
    // The slice was sized by the same formula the engine uses, so this cannot fail; should it
    // ever, the answer is still complete JSON (an empty string) rather than a panic.
    let written = STANDARD
        .encode_slice(&message.data, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
    out.extend_from_slice(b"\"}");
}

/// Padded base64 length of `n` bytes.
fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut rest = n;
    loop {
        i -= 1;
        // `rest % 10` is below 10, so the cast cannot truncate.
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A JSON string. Hashes are plain base64 or hex, but they come from storage, so anything
/// else is escaped the way serde_json does it.
fn push_str(out: &mut Vec<u8>, s: &str) {
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        // Writing to a Vec cannot fail; keep the JSON well-formed regardless.
        out.extend_from_slice(b"\"\"");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn message() -> impl Strategy<Value = RetrievedMessage> {
        (
            prop_oneof![
                "[A-Za-z0-9+/]{43}",
                "[0-9a-f]{64}",
                any::<String>(),
                Just(String::new())
            ],
            any::<u64>(),
            any::<u64>(),
            proptest::collection::vec(any::<u8>(), 0..600),
        )
            .prop_map(|(hash, timestamp, expiry, data)| RetrievedMessage {
                hash,
                timestamp,
                expiry,
                data,
            })
    }

    proptest! {
        #[test]
        fn bytes_are_serdes(
            messages in proptest::collection::vec(message(), 0..8),
            more in any::<bool>(),
            t in proptest::option::of(any::<u64>()),
            hf in proptest::option::of(any::<[u16; 2]>()),
        ) {
            let answer = RetrieveResponse { messages, more, t, hf };
            let ours = answer.to_json_bytes();
            prop_assert_eq!(&ours, &serde_json::to_vec(&answer).unwrap());
            let back: RetrieveResponse = serde_json::from_slice(&ours).unwrap();
            prop_assert_eq!(back, answer);
        }
    }

    #[test]
    fn numbers_at_the_edges() {
        for n in [0, 9, 10, 99, 100, u64::MAX - 1, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}

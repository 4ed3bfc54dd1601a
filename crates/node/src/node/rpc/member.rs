//! One swarm member's result of a recursive request, as the entry node puts it into `swarm`
//! and a peer puts it into its forward answer.
//!
//! Stores are the hot path: five results per request, each written once by the member that
//! signed it and copied as text by the entry node. So results stay typed
//! ([`MemberResult::Store`]) or raw JSON text ([`MemberResult::Raw`], a peer's answer) and are
//! written straight to bytes, with no `serde_json::Value` tree built, parsed or written again
//! on the way (measured: about 15 µs of CPU per replicated store).

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use session_protocol::rpc::response::StoreNodeResult;

/// A member's result.
#[derive(Debug)]
pub(crate) enum MemberResult {
    /// A result built as JSON (other methods, failures).
    Json(Value),
    /// This node's signed `store` result.
    Store(StoreNodeResult),
    /// A peer's result as it sent it.
    Raw {
        /// The JSON text.
        json: Box<RawValue>,
        /// It has a `failed` key (the member did not do it).
        failed: bool,
        /// It has a non-empty `deleted` list.
        deleted_any: bool,
    },
}

/// Whether a key is present, whatever its value (even `null`).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Present, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Present(true))
    }
}

/// The two facts the entry node needs of a peer's result, read without building a tree.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    failed: Present,
    #[serde(default)]
    deleted: Option<Vec<IgnoredAny>>,
}

impl MemberResult {
    /// A peer's result from its JSON text. A result that is not a JSON object counts as a
    /// failure only if it has a `failed` key, as with a parsed tree: it is passed on as it is.
    pub(crate) fn from_peer(json: Box<RawValue>) -> MemberResult {
        let (failed, deleted_any) = match serde_json::from_str::<Probe>(json.get()) {
            Ok(p) => (p.failed.0, p.deleted.is_some_and(|d| !d.is_empty())),
            // Not an object, or `deleted` is not a list: no `failed` key seen, nothing deleted
            // counted (a tree lookup would find the same unless it is an object with a
            // non-list `deleted`, which counts as nothing deleted there too).
            Err(_) => (failed_key_in_object(json.get()), false),
        };
        MemberResult::Raw {
            json,
            failed,
            deleted_any,
        }
    }

    /// The member did what was asked (its result has no `failed` key).
    pub(crate) fn succeeded(&self) -> bool {
        match self {
            MemberResult::Json(v) => v.get("failed").is_none(),
            MemberResult::Store(_) => true,
            MemberResult::Raw { failed, .. } => !failed,
        }
    }

    /// The member deleted at least one message (`deleted` is a non-empty list).
    pub(crate) fn deleted_any(&self) -> bool {
        match self {
            MemberResult::Json(v) => v
                .get("deleted")
                .and_then(Value::as_array)
                .is_some_and(|d| !d.is_empty()),
            MemberResult::Store(_) => false,
            MemberResult::Raw { deleted_any, .. } => *deleted_any,
        }
    }

    /// Appends the result as JSON text.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        let written = match self {
            MemberResult::Json(v) => serde_json::to_writer(&mut *out, v),
            MemberResult::Store(r) => serde_json::to_writer(&mut *out, r),
            MemberResult::Raw { json, .. } => {
                out.extend_from_slice(json.get().as_bytes());
                Ok(())
            }
        };
        if written.is_err() {
            // Writing plain data into a Vec cannot fail; keep the JSON well formed regardless.
            out.extend_from_slice(b"null");
        }
    }

    /// The result as a JSON tree (tests and rare callers).
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        let mut out = Vec::new();
        self.write_json(&mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }
}

/// Slow path for text the probe could not read: whether it is an object with a `failed` key.
fn failed_key_in_object(json: &str) -> bool {
    serde_json::from_str::<Value>(json)
        .ok()
        .is_some_and(|v| v.get("failed").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> MemberResult {
        MemberResult::from_peer(RawValue::from_string(text.to_owned()).unwrap())
    }

    #[test]
    fn peer_results_are_judged_as_a_tree_would_be() {
        for (text, ok, deleted) in [
            (r#"{"hash":"h","signature":"s"}"#, true, false),
            (r#"{"failed":true,"timeout":true}"#, false, false),
            (r#"{"failed":null}"#, false, false),
            (r#"{"failed":false}"#, false, false),
            (r#"{"deleted":["a"],"signature":"s"}"#, true, true),
            (r#"{"deleted":[]}"#, true, false),
            (r#"{"deleted":{"0":["a"]},"failed":1}"#, false, false),
            (r#""a string""#, true, false),
            ("[1,2]", true, false),
            ("null", true, false),
        ] {
            let r = raw(text);
            let tree = MemberResult::Json(serde_json::from_str(text).unwrap());
            assert_eq!(r.succeeded(), ok, "{text}");
            assert_eq!(tree.succeeded(), ok, "{text}");
            assert_eq!(r.deleted_any(), deleted, "{text}");
            assert_eq!(tree.deleted_any(), deleted, "{text}");
            assert_eq!(r.to_value(), tree.to_value(), "{text}");
        }
    }

    #[test]
    fn a_store_result_is_written_as_its_json() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let result = StoreNodeResult::sign(&key, "hash".into(), true, 123);
        let written = MemberResult::Store(result.clone()).to_value();
        assert_eq!(written, serde_json::to_value(&result).unwrap());
        assert_eq!(written["already"], true);
        assert_eq!(written["expiry"], 123);
    }
}

//! Storage RPC request parsing: upstream error texts, aliases, and never-panic properties of
//! the parser on arbitrary bytes, strings and JSON.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use proptest::prelude::*;
use serde_json::{json, Value};
use session_protocol::identity::Keypair;
use session_protocol::rpc::{AccountPubkey, Request, RequestError};

const NOW: u64 = 1_700_000_000_000;

fn alice() -> Keypair {
    Keypair::from_seed32(&[1u8; 32])
}

fn hash(c: char) -> String {
    c.to_string().repeat(43)
}

#[test]
fn parse_errors_have_upstream_texts() {
    let pk = AccountPubkey::from(&alice().session_id()).to_hex();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"method": "nope", "params": {}}), "no method nope"),
        (json!({"params": {}}), "invalid json: no `method` field"),
        (json!({"method": "info"}), "invalid json: no `params` field"),
        (
            json!({"method": "get_swarm", "params": {}}),
            "invalid request: Required field 'pubkey' missing",
        ),
        (
            json!({"method": "get_swarm", "params": {"pubkey": "05zz"}}),
            "invalid request: Pubkey must be 66 hex digits/33 bytes long",
        ),
        (
            json!({"method": "store", "params": {"pubkey": "0511", "timestamp": NOW, "ttl": 10000, "data": ""}}),
            "invalid request: Pubkey must be 66 hex digits (33 bytes) long",
        ),
        (
            json!({"method": "store", "params": {"pubkey": pk, "timestamp": NOW, "ttl": 10000, "data": "!!"}}),
            "invalid request: Invalid 'data' value: not base64 encoded",
        ),
        (
            json!({"method": "store", "params": {"pubkey": pk, "timestamp": NOW, "data": "AA"}}),
            "invalid request: Required field 'expiry' or 'ttl' missing",
        ),
        (
            json!({"method": "store", "params": {"pubkey": pk, "timestamp": NOW, "ttl": 1, "expiry": NOW, "data": "AA"}}),
            "invalid request: Cannot specify both 'expiry' and 'ttl'",
        ),
        (
            json!({"method": "store", "params": {"pubkey": pk, "timestamp": "12x", "ttl": 1, "data": "AA"}}),
            "invalid request: Invalid value given for 'timestamp': \"12x\"",
        ),
        (
            json!({"method": "store", "params": {"pubkey": pk, "timestamp": NOW, "ttl": 1, "data": "AA", "namespace": 40000}}),
            "invalid request: Invalid value given for 'namespace': value out of range",
        ),
        (
            json!({"method": "retrieve", "params": {"pubkey": pk, "timestamp": 1_700_000u64, "signature": "x"}}),
            "invalid request: Invalid timestamp for 'timestamp': timestamp must be in milliseconds",
        ),
        (
            json!({"method": "retrieve", "params": {"pubkey": pk, "timestamp": NOW, "signature": "x"}}),
            "invalid request: invalid signature: expected base64 encoded Ed25519 signature",
        ),
        (
            json!({"method": "retrieve", "params": {"pubkey": pk, "namespace": -10, "last_hash": "abc"}}),
            "invalid request: Invalid last_hash: expected base64 (43 chars)",
        ),
        (
            json!({"method": "delete", "params": {"pubkey": pk, "messages": [], "signature": "A".repeat(86)}}),
            "invalid request: messages does not contain any message hashes",
        ),
        (
            json!({"method": "delete", "params": {"pubkey": pk, "messages": ["short"], "signature": "A".repeat(86)}}),
            "invalid request: invalid message hash: short",
        ),
        (
            json!({"method": "delete_all", "params": {"pubkey": pk, "namespace": "some", "timestamp": NOW, "signature": "A".repeat(86)}}),
            "invalid request: Invalid value given for 'namespace': expected integer or \"all\"",
        ),
        (
            json!({"method": "expire", "params": {"pubkey": pk, "messages": [hash('a')], "expiry": NOW, "shorten": true, "extend": true, "signature": "A".repeat(86)}}),
            "invalid request: cannot specify both 'shorten' and 'extend'",
        ),
        (
            json!({"method": "expire", "params": {"pubkey": pk, "messages": [hash('a')], "expiry": [NOW, NOW], "signature": "A".repeat(86)}}),
            "invalid request: 'expiry' must be a single expiry, or the same length as 'messages'",
        ),
        (
            json!({"method": "retrieve", "params": {"pubkey": "03".to_owned() + &"ab".repeat(32), "namespace": 11, "timestamp": NOW, "signature": "A".repeat(86), "pubkey_ed25519": "ab".repeat(32)}}),
            "invalid request: pubkey_ed25519 is only permitted for 05[...] pubkeys",
        ),
        (
            json!({"method": "oxend_request", "params": {"endpoint": "get_info"}}),
            "invalid request: Invalid oxend endpoint 'get_info'",
        ),
        (
            json!({"method": "batch", "params": {"requests": []}}),
            "invalid request: Invalid batch request: no valid \"requests\" field",
        ),
        (
            json!({"method": "batch", "params": {"requests": vec![json!({"method": "info", "params": {}}); 21]}}),
            "invalid request: Invalid batch request: subrequest limit exceeded",
        ),
        (
            json!({"method": "sequence", "params": {"requests": [{"method": "batch", "params": {}}]}}),
            "invalid request: Invalid batch subrequest: subrequests may not contain meta-requests",
        ),
        (
            json!({"method": "batch", "params": {"requests": [{"method": "zap", "params": {}}]}}),
            "invalid request: Invalid batch subrequest: invalid method \"zap\"",
        ),
        (
            json!({"method": "batch", "params": {"requests": [{"method": "info"}]}}),
            "invalid request: Invalid batch request: subrequests must have method/params keys",
        ),
    ];
    for (body, text) in cases {
        let err = Request::from_json(&body).unwrap_err();
        assert_eq!(err.to_string(), text, "{body}");
        assert_eq!(err.http_status(), 400);
    }
    assert_eq!(Request::parse(b"{").unwrap_err(), RequestError::InvalidJson);
    assert_eq!(RequestError::InvalidJson.to_string(), "invalid json");
}

#[test]
fn aliases_and_lenient_forms() {
    let pk = AccountPubkey::from(&alice().session_id()).to_hex();
    let a =
        Request::from_json(&json!({"method": "get_snodes_for_pubkey", "params": {"pubKey": pk}}))
            .unwrap();
    let b = Request::from_json(&json!({"method": "get_swarm", "params": {"pubkey": pk}})).unwrap();
    assert_eq!(a, b);
    let s = json!({"method": "store", "params": {"pubKey": pk, "timestamp": NOW.to_string(), "ttl": "60000", "data": "aGk"}});
    let Request::Store(p) = Request::from_json(&s).unwrap() else {
        panic!()
    };
    assert_eq!(p.data, b"hi");
    assert_eq!(p.expiry_ms(), NOW + 60_000);
    let r = json!({"method": "retrieve", "params": {"pubkey": pk, "namespace": -10, "lastHash": hash('Q')}});
    let Request::Retrieve(p) = Request::from_json(&r).unwrap() else {
        panic!()
    };
    assert_eq!(p.last_hash, Some(hash('Q')));
    let both = json!({"method": "retrieve", "params": {"pubkey": pk, "namespace": -10, "lastHash": hash('Q'), "last_hash": hash('Q')}});
    assert_eq!(
        Request::from_json(&both).unwrap_err(),
        RequestError::Conflicting("last_hash", "lastHash")
    );
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..4_000_000_000_000).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,90}".prop_map(Value::String),
        "[A-Za-z0-9+/]{43}".prop_map(Value::String),
        "[A-Za-z0-9+/]{86}".prop_map(Value::String),
        "(03|05)[0-9a-f]{64}".prop_map(Value::String),
        Just(Value::from("all")),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const METHODS: &[&str] = &[
    "store",
    "retrieve",
    "delete",
    "delete_all",
    "delete_before",
    "expire",
    "expire_all",
    "get_expiries",
    "get_swarm",
    "get_snodes_for_pubkey",
    "oxend_request",
    "info",
    "revoke_subaccount",
    "unrevoke_subaccount",
    "batch",
    "sequence",
    "ifelse",
];
const KEYS: &[&str] = &[
    "pubkey",
    "pubKey",
    "timestamp",
    "ttl",
    "expiry",
    "data",
    "namespace",
    "signature",
    "pubkey_ed25519",
    "sig_timestamp",
    "subaccount",
    "subaccount_sig",
    "last_hash",
    "lastHash",
    "max_count",
    "max_size",
    "messages",
    "required",
    "before",
    "shorten",
    "extend",
    "endpoint",
    "params",
    "requests",
    "revoke",
    "unrevoke",
    "method",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Request::parse(&bytes);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        let _ = Request::parse(s.as_bytes());
    }

    #[test]
    fn arbitrary_params_never_panic(
        method in prop::sample::select(METHODS),
        fields in prop::collection::vec((prop::sample::select(KEYS), json_value()), 0..10),
        now in 0u64..4_000_000_000_000,
    ) {
        let params: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let body = json!({"method": method, "params": params});
        if let Ok(req) = Request::from_json(&body) {
            let _ = req.verify(now);
            let again = Request::parse(&req.to_body());
            prop_assert_eq!(again.as_ref(), Ok(&req));
        }
        let batch = json!({"method": "batch", "params": {"requests": [{"method": method, "params": params}]}});
        let _ = Request::from_json(&batch);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let _ = Request::from_json(&v);
        let _ = serde_json::from_value::<Request>(v);
    }
}

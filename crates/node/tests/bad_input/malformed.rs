//! Hand-made bad requests, each with the status (and where upstream has a fixed text, the text)
//! session-storage-server answers.

use serde_json::{json, Value};
use session_protocol::onion::{decode_snode_reply, encode_combined};
use session_protocol::rpc::build;
use session_protocol::rpc::limits::{MAX_MESSAGE_BODY, MAX_REQUEST_BODY};

use super::support::{account, keypair, now_ms, ns, post, retrieve_body, rng, store_body, TestNet};
use super::{
    edit, expect, fake_node, forged_registration, http, nested, snode_onion, to_value, Want,
};

/// `/storage_rpc/v1`: bad JSON, missing and mistyped parameters, authentication, batches, body
/// sizes. Returns the mismatches.
pub async fn storage_rpc(net: &TestNet) -> Vec<String> {
    let http = http();
    let node = &net.nodes[0];
    let url = node.rpc_url();
    let mut r = rng(7);
    let a = keypair(&mut r);
    let b = keypair(&mut r);
    let mut bad: Vec<String> = Vec::new();

    // Not JSON, or JSON of the wrong shape.
    let shapes: Vec<(&str, Vec<u8>, Want)> = vec![
        ("empty body", Vec::new(), Want::Status(400)),
        ("not json", b"{nope".to_vec(), Want::Status(400)),
        ("json array", b"[]".to_vec(), Want::Status(400)),
        ("json string", b"\"store\"".to_vec(), Want::Status(400)),
        ("json null", b"null".to_vec(), Want::Status(400)),
        (
            "invalid utf-8",
            b"{\"method\":\"info\xff\",\"params\":{}}".to_vec(),
            Want::Status(400),
        ),
        (
            "100k-deep nesting",
            nested(100_000).into_bytes(),
            Want::Status(400),
        ),
        (
            "10k-deep nesting in params",
            format!(
                "{{\"method\":\"info\",\"params\":{{\"x\":{}}}}}",
                nested(10_000)
            )
            .into_bytes(),
            Want::Status(400),
        ),
        (
            "method not a string",
            br#"{"method":5,"params":{}}"#.to_vec(),
            Want::Status(400),
        ),
        (
            "unknown method",
            br#"{"method":"frobnicate","params":{}}"#.to_vec(),
            Want::Text(400, "no method frobnicate"),
        ),
        (
            "store without params",
            br#"{"method":"store"}"#.to_vec(),
            Want::Status(400),
        ),
        (
            "store with array params",
            br#"{"method":"store","params":[]}"#.to_vec(),
            Want::Status(400),
        ),
        (
            "store with empty params",
            br#"{"method":"store","params":{}}"#.to_vec(),
            Want::Status(400),
        ),
    ];
    for (name, body, want) in shapes {
        bad.extend(expect(&http, &url, name, body, want).await);
    }

    // A valid signed store into a private namespace, then each field removed or mistyped.
    let store2 = to_value(&store_body(&a, 2, b"hello".to_vec(), 3_600_000));
    bad.extend(
        expect(
            &http,
            &url,
            "valid signed store",
            store2.to_string().into_bytes(),
            Want::Status(200),
        )
        .await,
    );
    for field in ["pubkey", "timestamp", "ttl", "data"] {
        let body = edit(&store2, |p| {
            p.remove(field);
        });
        bad.extend(
            expect(
                &http,
                &url,
                &format!("store without {field}"),
                body,
                Want::Status(400),
            )
            .await,
        );
    }
    let mistyped: Vec<(&str, Value)> = vec![
        ("pubkey", json!(123)),
        ("pubkey", json!("05zz")),
        ("pubkey", json!(hex::encode([0x05u8; 32]))),
        ("pubkey", json!(format!("05{}", "g".repeat(64)))),
        ("timestamp", json!("soon")),
        ("timestamp", json!(-5)),
        ("timestamp", json!([1])),
        ("ttl", json!("long")),
        ("ttl", json!({})),
        ("data", json!(42)),
        ("data", json!(null)),
        ("namespace", json!("two")),
        ("namespace", json!(40_000)),
        ("namespace", json!(2.5)),
        ("signature", json!("!!")),
        ("signature", json!("AAAAAAAAAAAAAA==")),
        ("pubkey_ed25519", json!("zz")),
    ];
    for (field, value) in mistyped {
        let body = edit(&store2, |p| {
            p.insert(field.into(), value.clone());
        });
        bad.extend(
            expect(
                &http,
                &url,
                &format!("store with {field} = {value}"),
                body,
                Want::Status(400),
            )
            .await,
        );
    }
    bad.extend(
        expect(
            &http,
            &url,
            "store with non-base64 data",
            edit(&store2, |p| {
                p.insert("data".into(), json!("!!!not base64!!!"));
            }),
            Want::Text(400, "not base64"),
        )
        .await,
    );
    let big = |len: usize| {
        edit(&store2, |p| {
            p.insert(
                "data".into(),
                json!(session_protocol::rpc::encoding::encode_base64(&vec![
                    7u8;
                    len
                ])),
            );
        })
    };
    bad.extend(
        expect(
            &http,
            &url,
            "store of exactly the maximum size",
            big(MAX_MESSAGE_BODY),
            Want::Status(200),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "store one byte over the maximum size",
            big(MAX_MESSAGE_BODY + 1),
            Want::Text(400, "exceeds maximum allowed length"),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "store with a 5 s TTL",
            store_body(&a, 2, b"short".to_vec(), 5_000),
            Want::Status(403),
        )
        .await,
    );
    let long_ttl = build::store_unsigned(
        account(&a),
        ns(0),
        b"x".to_vec(),
        15 * 24 * 3_600_000,
        now_ms(),
    )
    .unwrap()
    .to_body();
    bad.extend(
        expect(
            &http,
            &url,
            "public-inbox store with a 15-day TTL",
            long_ttl,
            Want::Status(403),
        )
        .await,
    );
    let future = build::store_unsigned(
        account(&a),
        ns(0),
        b"x".to_vec(),
        3_600_000,
        now_ms() + 3_600_000,
    )
    .unwrap()
    .to_body();
    bad.extend(
        expect(
            &http,
            &url,
            "store timestamped an hour ahead",
            future,
            Want::Status(406),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "unsigned store into namespace 2",
            edit(&store2, |p| {
                p.remove("signature");
                p.remove("pubkey_ed25519");
            }),
            Want::Text(401, "signature required"),
        )
        .await,
    );
    let b_sig =
        to_value(&store_body(&b, 2, b"hello".to_vec(), 3_600_000))["params"]["signature"].clone();
    bad.extend(
        expect(
            &http,
            &url,
            "store signed by another key",
            edit(&store2, |p| {
                p.insert("signature".into(), b_sig.clone());
            }),
            Want::Status(401),
        )
        .await,
    );

    // Retrieve.
    let unsigned = build::retrieve_unsigned(account(&a), ns(0), None).to_body();
    bad.extend(
        expect(
            &http,
            &url,
            "unsigned retrieve",
            unsigned,
            Want::Text(401, "signature required"),
        )
        .await,
    );
    let stale = build::retrieve(&a, ns(0), None, None, now_ms() - 2 * 3_600_000).to_body();
    bad.extend(
        expect(
            &http,
            &url,
            "retrieve signed 2 h ago",
            stale,
            Want::Status(406),
        )
        .await,
    );
    let retrieve0 = to_value(&retrieve_body(&a, 0, None));
    let b_sig = to_value(&retrieve_body(&b, 0, None))["params"]["signature"].clone();
    bad.extend(
        expect(
            &http,
            &url,
            "retrieve signed by another key",
            edit(&retrieve0, |p| {
                p.insert("signature".into(), b_sig.clone());
            }),
            Want::Status(401),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "retrieve with a short last_hash",
            edit(&retrieve0, |p| {
                p.insert("last_hash".into(), json!("abc"));
            }),
            Want::Status(400),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "get_swarm of a bad pubkey",
            br#"{"method":"get_swarm","params":{"pubkey":"05"}}"#.to_vec(),
            Want::Status(400),
        )
        .await,
    );

    // Batches.
    let info = json!({"method": "info", "params": {}});
    let batch = |requests: Vec<Value>| {
        json!({"method": "batch", "params": {"requests": requests}})
            .to_string()
            .into_bytes()
    };
    bad.extend(
        expect(
            &http,
            &url,
            "batch of 21",
            batch(vec![info.clone(); 21]),
            Want::Status(400),
        )
        .await,
    );
    bad.extend(expect(&http, &url, "empty batch", batch(vec![]), Want::Status(400)).await);
    bad.extend(
        expect(
            &http,
            &url,
            "nested batch",
            batch(vec![to_value(&batch(vec![info.clone()]))]),
            Want::Status(400),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &url,
            "batch of a number",
            batch(vec![json!(5)]),
            Want::Status(400),
        )
        .await,
    );
    let max_stores: Vec<Value> = (0..20u8)
        .map(|i| to_value(&store_body(&a, 2, vec![i; MAX_MESSAGE_BODY], 3_600_000)))
        .collect();
    match post(&http, &url, batch(max_stores)).await {
        Ok((200, body)) => {
            let results = to_value(&body)["results"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let codes: Vec<u64> = results.iter().filter_map(|r| r["code"].as_u64()).collect();
            if codes != vec![200; 20] {
                bad.push(format!(
                    "batch of 20 maximum-size stores: sub-results {codes:?}"
                ));
            }
        }
        Ok((status, body)) => bad.push(format!(
            "batch of 20 maximum-size stores: {status} {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
        )),
        Err(e) => bad.push(format!("batch of 20 maximum-size stores: {e}")),
    }

    // Body size: upstream reads up to 10 MiB (`MAX_REQUEST_BODY_SIZE`), 413 beyond.
    let mut padded = br#"{"method":"info","params":{},"pad":""#.to_vec();
    padded.resize(padded.len() + 5 * 1024 * 1024, b'x');
    padded.extend_from_slice(b"\"}");
    bad.extend(expect(&http, &url, "5 MiB info request", padded, Want::Status(200)).await);
    let huge = vec![b'x'; MAX_REQUEST_BODY + 1];
    bad.extend(
        expect(
            &http,
            &url,
            "10 MiB + 1 body",
            huge.clone(),
            Want::Status(413),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &node.onion_url(),
            "10 MiB + 1 onion body",
            huge,
            Want::Status(413),
        )
        .await,
    );

    // Long polling is gone.
    let resp = http
        .post(&url)
        .header("x-loki-long-poll", "true")
        .body(retrieve_body(&a, 0, None))
        .send()
        .await
        .unwrap();
    if resp.status() != 410 {
        bad.push(format!("x-loki-long-poll: got {}", resp.status()));
    }
    bad
}

/// `/onion_req/v2`: broken framing and keys, plus positive controls.
pub async fn onion(net: &TestNet) -> Vec<String> {
    let http = http();
    let node = &net.nodes[0];
    let mut r = rng(8);
    let mut bad: Vec<String> = Vec::new();
    let onion_url = node.onion_url();
    let mut header_only =
        encode_combined(b"0123456789abcdef0123456789", br#"{"ephemeral_key":"zz"}"#).unwrap();
    let onion_cases: Vec<(&str, Vec<u8>, Want)> = vec![
        ("empty onion", Vec::new(), Want::Status(400)),
        ("3-byte onion", b"abc".to_vec(), Want::Status(400)),
        (
            "onion length prefix past the end",
            [&u32::MAX.to_le_bytes()[..], b"abc{}"].concat(),
            Want::Status(400),
        ),
        (
            "onion with a bad ephemeral key",
            std::mem::take(&mut header_only),
            Want::Status(400),
        ),
        (
            "onion encrypted to another key",
            snode_onion(&fake_node(&mut r), &[], b"{}", &mut r).body,
            Want::Status(400),
        ),
    ];
    for (name, body, want) in onion_cases {
        bad.extend(expect(&http, &onion_url, name, body, want).await);
    }
    // Positive controls: a one-layer onion runs `info`; garbage inside a valid layer gets an
    // encrypted 400; a relay asked to forward to an unknown node answers 502.
    for (name, payload, inner) in [
        (
            "onion info",
            br#"{"method":"info","params":{}}"#.to_vec(),
            200u16,
        ),
        ("onion carrying garbage", b"{nope".to_vec(), 400),
    ] {
        let onion = snode_onion(node, &[], &payload, &mut r);
        match post(&http, &onion_url, onion.body).await {
            Ok((200, body)) => match decode_snode_reply(&onion.reply_key, &body) {
                Ok(reply) if reply.status == inner => {}
                other => bad.push(format!("{name}: reply {other:?}, want status {inner}")),
            },
            other => bad.push(format!("{name}: {other:?}")),
        }
    }
    let nowhere = fake_node(&mut r);
    let onion = snode_onion(&nowhere, &[node.hop()], b"{}", &mut r);
    bad.extend(
        expect(
            &http,
            &onion_url,
            "onion to an unknown next hop",
            onion.body,
            Want::Text(502, "Next node not found"),
        )
        .await,
    );
    bad
}

/// The seed: `/json_rpc` parse errors and refused registrations.
pub async fn seed(net: &TestNet) -> Vec<String> {
    let http = http();
    let mut r = rng(9);
    let mut bad: Vec<String> = Vec::new();
    let seed_rpc = format!("{}/json_rpc", net.seed_url);
    match post(&http, &seed_rpc, b"{nope".to_vec()).await {
        Ok((200, body)) if to_value(&body)["error"]["code"] == -32700 => {}
        other => bad.push(format!("seed json_rpc parse error: {other:?}")),
    }
    let register = format!("{}/register", net.seed_url);
    bad.extend(
        expect(
            &http,
            &register,
            "registration not json",
            b"{nope".to_vec(),
            Want::Status(400),
        )
        .await,
    );
    bad.extend(
        expect(
            &http,
            &register,
            "registration with a forged signature",
            forged_registration(&mut r),
            Want::Status(401),
        )
        .await,
    );

    // Extreme timestamps must be refused as clock skew, not crash the handler.
    for ts in [i64::MIN, i64::MAX, -1] {
        let mut reg: Value = to_value(&forged_registration(&mut r));
        reg["timestamp"] = json!(ts);
        bad.extend(
            expect(
                &http,
                &register,
                &format!("registration timestamped {ts}"),
                reg.to_string().into_bytes(),
                Want::Status(406),
            )
            .await,
        );
    }
    bad
}

//! Storage RPC responses: node signatures (sign on the node, verify on the client), the exact
//! node-signed bytes, JSON shapes as upstream sends them, serde round trips, never-panic.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use session_protocol::rpc::response::*;
use session_protocol::rpc::signature as sig;
use session_protocol::rpc::snode::{
    seed_request_body, to_base32z, JsonRpcResponse, ServiceNodeList, ServiceNodeState, SwarmNode,
};
use session_protocol::rpc::status::StatusCode;
use session_protocol::rpc::{AccountPubkey, SubaccountToken};

const NOW: u64 = 1_700_000_000_000;

fn node() -> (SigningKey, String) {
    let k = SigningKey::from_bytes(&[9u8; 32]);
    let hex_key = hex::encode(k.verifying_key().to_bytes());
    (k, hex_key)
}

fn account() -> AccountPubkey {
    AccountPubkey::new(5, [0xab; 32])
}

fn h(c: char) -> String {
    c.to_string().repeat(43)
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).unwrap();
    let back: T = parse_response(text.as_bytes()).unwrap();
    assert_eq!(&back, v, "{text}");
}

#[test]
fn node_signed_bytes_are_exact() {
    let acc = account();
    let pk = acc.to_hex();
    assert_eq!(pk.len(), 66);
    assert_eq!(sig::node_store_signed_bytes("HASH"), b"HASH");
    assert_eq!(
        sig::node_delete_signed_bytes(&acc, &["r1", "r2"], &["r2"]),
        format!("{pk}r1r2r2").into_bytes()
    );
    assert_eq!(
        sig::node_account_number_hashes_signed_bytes(&acc, NOW, &["a", "b"]),
        format!("{pk}1700000000000ab").into_bytes()
    );
    let mut unchanged = BTreeMap::new();
    unchanged.insert("u2".to_owned(), 7u64);
    unchanged.insert("u1".to_owned(), 5u64);
    assert_eq!(
        sig::node_expire_signed_bytes(&acc, &[NOW], &["r"], &["x"], &unchanged),
        format!("{pk}1700000000000rxu15u27").into_bytes()
    );
    let t = SubaccountToken([1; 36]);
    let mut expected = format!("{pk}1700000000000").into_bytes();
    expected.extend_from_slice(&[1; 36]);
    assert_eq!(sig::node_revoke_signed_bytes(&acc, NOW, &[t]), expected);
}

#[test]
fn store_response_sign_verify_and_shape() {
    let (key, node_hex) = node();
    let result = StoreNodeResult::sign(&key, h('s'), false, NOW + 1000);
    result.verify(&node_hex).unwrap();
    let mut bad = result.clone();
    bad.hash = h('t');
    assert!(matches!(
        bad.verify(&node_hex),
        Err(ResponseError::BadNodeSignature { .. })
    ));
    assert!(matches!(
        result.verify("zz"),
        Err(ResponseError::BadNodeKey(_))
    ));

    let mut swarm = BTreeMap::new();
    swarm.insert(node_hex.clone(), NodeResult::Ok(result.clone()));
    swarm.insert(
        "11".repeat(32),
        NodeResult::Failed(NodeFailure {
            timeout: true,
            ..NodeFailure::default()
        }),
    );
    let resp = StoreResponse {
        swarm,
        hash: Some(h('s')),
        t: Some(NOW),
        hf: Some([19, 4]),
    };
    assert_eq!(resp.http_status(), 200);
    let v = serde_json::to_value(&resp).unwrap();
    assert_eq!(v["swarm"]["11".repeat(32)]["failed"], json!(true));
    assert_eq!(v["swarm"][&node_hex]["hash"], json!(h('s')));
    assert!(v["swarm"][&node_hex].get("already").is_none());
    let back: StoreResponse = serde_json::from_value(v).unwrap();
    assert_eq!(back.successes().count(), 1);
    assert_eq!(
        back,
        StoreResponse {
            swarm: back.swarm.clone(),
            ..resp
        }
    );
    // The "failed" flag is normalised to true on output.
    let NodeResult::Failed(f) = &back.swarm[&"11".repeat(32)] else {
        panic!()
    };
    assert!(f.failed && f.timeout);

    // As upstream writes a peer error: code is text.
    let upstream = json!({
        "swarm": {
            node_hex.clone(): {"hash": h('s'), "signature": session_protocol::rpc::encoding::encode_base64(&result.signature), "already": true, "expiry": NOW, "t": NOW},
            "22".repeat(32): {"failed": true, "code": "406", "reason": "Timestamp error: check your clock"}
        },
        "hash": h('s'), "t": NOW, "hf": [19, 4]
    });
    let parsed: StoreResponse = serde_json::from_value(upstream).unwrap();
    let NodeResult::Ok(ok) = &parsed.swarm[&node_hex] else {
        panic!()
    };
    assert!(ok.already);
    ok.verify(&node_hex).unwrap();
    let all_failed = StoreResponse {
        swarm: parsed
            .swarm
            .iter()
            .filter(|(_, r)| matches!(r, NodeResult::Failed(_)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        ..parsed.clone()
    };
    assert_eq!(all_failed.http_status(), 500);
    round_trip(&parsed);
}

#[test]
fn retrieve_response_uses_expiration() {
    let body = json!({
        "messages": [{"hash": h('m'), "timestamp": NOW, "expiration": NOW + 5, "data": "aGVsbG8="}],
        "more": true, "t": NOW, "hf": [19, 4]
    });
    let r: RetrieveResponse = serde_json::from_value(body).unwrap();
    assert_eq!(r.messages[0].data, b"hello");
    assert_eq!(r.messages[0].expiry, NOW + 5);
    assert!(r.more);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["messages"][0]["expiration"], json!(NOW + 5));
    // The documented (but not sent) name is accepted too.
    let alt = json!({"messages": [{"hash": h('m'), "timestamp": NOW, "expiry": 1, "data": ""}], "more": false});
    let r2: RetrieveResponse = serde_json::from_value(alt).unwrap();
    assert_eq!(r2.messages[0].expiry, 1);
    round_trip(&r);
    round_trip(&r2);
}

#[test]
fn delete_family_sign_verify() {
    let (key, node_hex) = node();
    let acc = account();
    let requested = vec![h('b'), h('a'), h('c')];
    let d = DeleteNodeResult::sign(&key, &acc, &requested, vec![h('c'), h('a')]);
    assert_eq!(d.deleted, vec![h('a'), h('c')]);
    d.verify(&node_hex, &acc, &requested).unwrap();
    assert!(d.verify(&node_hex, &acc, &requested[..2]).is_err());
    round_trip(&d);

    let one = BulkNodeResult::sign(
        &key,
        &acc,
        NOW,
        AffectedHashes::One(vec![h('z'), h('y')]),
        false,
    );
    one.verify(&node_hex, &acc, NOW).unwrap();
    assert!(one.verify(&node_hex, &acc, NOW + 1).is_err());
    assert!(one.updated.is_none());
    round_trip(&one);

    let all = AffectedHashes::by_namespace(vec![(0, h('q')), (5, h('b')), (0, h('a'))]);
    assert_eq!(all.sorted_all(), vec![h('a'), h('b'), h('q')]);
    let bulk = BulkNodeResult::sign(&key, &acc, NOW, all, true);
    let v = serde_json::to_value(&bulk).unwrap();
    assert_eq!(v["updated"]["0"], json!([h('a'), h('q')]));
    assert_eq!(v["updated"]["5"], json!([h('b')]));
    let back: BulkNodeResult = serde_json::from_value(v).unwrap();
    back.verify(&node_hex, &acc, NOW).unwrap();
    assert_eq!(back, bulk);

    let t = vec![SubaccountToken([2; 36])];
    let r = RevokeNodeResult::sign(&key, &acc, NOW, &t, Some(1));
    r.verify(&node_hex, &acc, NOW, &t).unwrap();
    assert!(r.verify(&node_hex, &acc, NOW, &[]).is_err());
    round_trip(&r);
}

#[test]
fn expire_sign_verify() {
    let (key, node_hex) = node();
    let acc = account();
    let requested = vec![h('b'), h('a'), h('c')];
    let mut unchanged = BTreeMap::new();
    unchanged.insert(h('c'), NOW + 9);
    let single = ExpireNodeResult::sign(
        &key,
        &acc,
        &requested,
        vec![(h('b'), NOW), (h('a'), NOW)],
        Some(NOW),
        Some(unchanged),
    );
    assert_eq!(single.updated, vec![h('a'), h('b')]);
    assert_eq!(single.expiry, ExpiryValue::One(NOW));
    single.verify(&node_hex, &acc, &requested).unwrap();
    let v = serde_json::to_value(&single).unwrap();
    assert_eq!(v["expiry"], json!(NOW));
    assert_eq!(v["unchanged"][h('c')], json!(NOW + 9));
    round_trip(&single);

    let multi = ExpireNodeResult::sign(
        &key,
        &acc,
        &requested,
        vec![(h('b'), NOW + 2), (h('a'), NOW + 1)],
        None,
        None,
    );
    assert_eq!(multi.expiry, ExpiryValue::Many(vec![NOW + 1, NOW + 2]));
    multi.verify(&node_hex, &acc, &requested).unwrap();
    let mut tampered = multi.clone();
    tampered.expiry = ExpiryValue::Many(vec![NOW + 2, NOW + 1]);
    assert!(tampered.verify(&node_hex, &acc, &requested).is_err());
    round_trip(&multi);

    let resp = ExpireResponse {
        swarm: [(node_hex, NodeResult::Ok(multi))].into_iter().collect(),
        hash: None,
        t: Some(NOW),
        hf: Some([19, 4]),
    };
    round_trip(&resp);
}

#[test]
fn swarm_info_batch_shapes() {
    let upstream = json!({
        "snodes": [{
            "address": "abc.snode", "pubkey_legacy": "aa".repeat(32), "pubkey_x25519": "bb".repeat(32),
            "pubkey_ed25519": "cc".repeat(32), "port": "22021", "port_https": 22021, "port_omq": 22020,
            "port_quic": 22020, "ip": "1.2.3.4"
        }],
        "swarm": "7fffffffffffffff", "t": NOW, "hf": [19, 4]
    });
    let s: GetSwarmResponse = serde_json::from_value(upstream).unwrap();
    assert_eq!(s.swarm_id(), Some(0x7fff_ffff_ffff_ffff));
    assert_eq!(s.snodes[0].https_port(), Some(22021));
    assert_eq!(s.snodes[0].ed25519(), Some([0xcc; 32]));
    round_trip(&s);
    let built = MisdirectedBody::new(
        255,
        vec![SwarmNode::new("5.6.7.8".into(), 443, 444, [1; 32], [2; 32])],
        NOW,
        [19, 4],
    );
    assert_eq!(built.swarm, "ff");
    assert_eq!(built.snodes[0].port, "443");
    assert!(built.snodes[0].address.ends_with(".snode"));
    round_trip(&built);

    let info: InfoResponse = serde_json::from_value(
        json!({"version": [2, 8, 0], "timestamp": NOW, "t": NOW, "hf": [19, 4]}),
    )
    .unwrap();
    assert_eq!(info.version, [2, 8, 0]);
    round_trip(&info);

    let ge: GetExpiriesResponse =
        serde_json::from_value(json!({"expiries": {h('a'): NOW}})).unwrap();
    round_trip(&ge);

    let batch: BatchResponse = serde_json::from_value(json!({"results": [
        {"code": 200, "body": {"version": [2, 8, 0], "timestamp": NOW}},
        {"code": 401, "body": "retrieve: request signature required"}
    ]}))
    .unwrap();
    assert!(batch.results[0].is_success());
    assert_eq!(
        batch.results[0]
            .body_as::<InfoResponse>()
            .unwrap()
            .timestamp,
        NOW
    );
    assert_eq!(
        batch.results[1].error_text(),
        Some("retrieve: request signature required")
    );
    assert!(batch.results[1].body_as::<InfoResponse>().is_err());
    round_trip(&batch);

    let ox: OxendResponse =
        serde_json::from_value(json!({"result": {"service_node_states": []}, "t": NOW})).unwrap();
    round_trip(&ox);
    assert_eq!(
        StatusCode::MISDIRECTED_REQUEST.to_string(),
        "421 Misdirected Request"
    );
}

#[test]
fn seed_service_node_states() {
    let body = json!({"jsonrpc": "2.0", "id": "0", "result": {"service_node_states": [
        {"public_ip": "1.2.3.4", "storage_port": 22021, "storage_lmq_port": 22020,
         "pubkey_x25519": "aa".repeat(32), "pubkey_ed25519": "bb".repeat(32), "swarm_id": 17,
         "requested_unlock_height": 0},
        {"public_ip": "0.0.0.0", "storage_port": 0, "pubkey_x25519": "", "pubkey_ed25519": ""}
    ], "height": 1000}});
    let r: JsonRpcResponse<ServiceNodeList> = serde_json::from_value(body).unwrap();
    let states = &r.result.service_node_states;
    assert!(states[0].is_usable());
    assert!(!states[1].is_usable());
    assert_eq!(states[0].swarm_id, Some(17));
    round_trip(&r.result);
    let ours = ServiceNodeState::new("9.9.9.9".into(), 1, 2, [3; 32], [4; 32], 5);
    assert!(ours.is_usable());
    round_trip(&ours);
    assert_eq!(seed_request_body()["method"], json!("get_n_service_nodes"));
    // z-base-32 of a known value: 0x00 → "yy", 0xff → "9h".
    assert_eq!(to_base32z(&[0]), "yy");
    assert_eq!(to_base32z(&[0xff]), "9h");
    assert_eq!(to_base32z(&[0u8; 32]).len(), 52);
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_response::<StoreResponse>(&bytes);
        let _ = parse_response::<RetrieveResponse>(&bytes);
        let _ = parse_response::<BulkResponse>(&bytes);
        let _ = parse_response::<ExpireResponse>(&bytes);
        let _ = parse_response::<GetSwarmResponse>(&bytes);
        let _ = parse_response::<BatchResponse>(&bytes);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,200}") {
        let _ = parse_response::<DeleteResponse>(s.as_bytes());
        let _ = parse_response::<InfoResponse>(s.as_bytes());
        let _ = parse_response::<JsonRpcResponse<ServiceNodeList>>(s.as_bytes());
    }
}

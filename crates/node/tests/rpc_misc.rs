//! get_swarm, oxend_request, info, batch and sequence, and the node-to-node forward endpoint's
//! authentication, on an in-process devnet with two swarms.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod rpc_support;

use std::collections::BTreeMap;

use rpc_support::{account, keypair, keypair_in, now_ms, start_with, text};
use serde_json::{json, Value};
use session_node::identity::NodeIdentity;
use session_node::node::peer::{FORWARD_DOMAIN, FORWARD_PATH};
use session_node::node::peer_auth::PeerAuth;
use session_protocol::ons::{OnsName, OnsResolveResult};
use session_protocol::rpc::build;
use session_protocol::rpc::request::Request;
use session_protocol::rpc::response::{BatchResponse, GetSwarmResponse, StoreResponse};
use session_protocol::rpc::{message_hash_for, Namespace};

const ALICE: &str = "05fb466d312e1666ad1c84c4ee55b7e034151c0e366a313d95d11436a5f36e1e75";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lookups_batches_and_forward_authentication() {
    let mut ons = BTreeMap::new();
    ons.insert("alice".to_string(), ALICE.to_string());
    let net = start_with(10, 5, ons).await;
    let node = &net.nodes()[0];

    // get_swarm answers for any account, from any node, without 421.
    for _ in 0..6 {
        let kp = keypair();
        let me = account(&kp);
        let want = net.swarm_of(&me);
        for alias in ["get_swarm", "get_snodes_for_pubkey"] {
            let body = json!({"method": alias, "params": {"pubkey": me.to_hex()}});
            let (code, body) = net.raw(node, body.to_string().into_bytes()).await;
            assert_eq!(code, 200, "{body}");
            let swarm: GetSwarmResponse = serde_json::from_value(body).unwrap();
            assert_eq!(swarm.swarm_id(), Some(want));
            assert_eq!(swarm.snodes.len(), 5);
            for s in &swarm.snodes {
                let member = net
                    .nodes()
                    .iter()
                    .find(|n| hex::encode(n.ed25519_public()) == s.pubkey_ed25519)
                    .unwrap();
                assert_eq!(member.swarm_id(), want);
                assert_eq!(s.https_port(), Some(member.addr().port()));
                assert_eq!(
                    s.pubkey_x25519,
                    hex::encode(member.context().identity.x25519_public())
                );
            }
        }
    }

    // info.
    let (code, body) = net.rpc(node, &build::info()).await;
    assert_eq!(code, 200);
    assert_eq!(body["version"], json!([2, 8, 0]));
    assert!(body["t"].is_i64() && body["hf"].is_array());

    // oxend_request get_service_nodes: the oxend shape, honouring `fields` and `active_only`.
    let (code, body) = net.rpc(node, &build::get_service_nodes()).await;
    assert_eq!(code, 200, "{body}");
    let states = body["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 10);
    let mut keys: Vec<&str> = states[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "pubkey_ed25519",
            "pubkey_x25519",
            "public_ip",
            "storage_port"
        ]
    );
    assert!(body["t"].is_i64());
    let req = json!({"method": "oxend_request", "params": {"endpoint": "get_service_nodes",
        "params": {"fields": ["pubkey_ed25519", "swarm_id"], "limit": 3}}});
    let (code, body) = net.raw(node, req.to_string().into_bytes()).await;
    assert_eq!(code, 200, "{body}");
    let states = body["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 3);
    assert!(states.iter().all(|s| s["swarm_id"].is_u64()));
    let req = json!({"method": "oxend_request", "params": {"endpoint": "get_service_nodes",
        "params": {"fields": 7}}});
    let (code, _) = net.raw(node, req.to_string().into_bytes()).await;
    assert_eq!(code, 400);
    let req = json!({"method": "oxend_request", "params": {"endpoint": "get_info"}});
    let (code, body) = net.raw(node, req.to_string().into_bytes()).await;
    assert_eq!(
        (code, text(&body)),
        (400, "invalid request: Invalid oxend endpoint 'get_info'")
    );

    // oxend_request ons_resolve: {encrypted_value, nonce} that decrypts to the Session ID.
    let name = OnsName::parse("alice").unwrap();
    let (code, body) = net
        .rpc(node, &build::ons_resolve(&name.name_hash_base64()))
        .await;
    assert_eq!(code, 200, "{body}");
    let result: OnsResolveResult = serde_json::from_value(body["result"].clone()).unwrap();
    assert_eq!(result.decrypt(&name).unwrap().to_hex(), ALICE);
    let unknown = OnsName::parse("nobody").unwrap();
    let (code, body) = net
        .rpc(node, &build::ons_resolve(&unknown.name_hash_base64()))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["result"], json!({}));

    // batch: independent sub-requests, each with its own code.
    let kp = keypair_in(&net, node.swarm_id());
    let me = account(&kp);
    let mut forged = build::retrieve(&kp, Namespace(0), None, None, now_ms());
    if let Request::Retrieve(p) = &mut forged {
        p.auth.as_mut().unwrap().signature[1] ^= 1;
    }
    let other = keypair_in(
        &net,
        net.nodes()
            .iter()
            .find(|n| n.swarm_id() != node.swarm_id())
            .unwrap()
            .swarm_id(),
    );
    let batch = build::batch(vec![
        build::store_unsigned(me, Namespace(0), b"one".to_vec(), 600_000, now_ms()).unwrap(),
        forged.clone(),
        build::retrieve(&other, Namespace(0), None, None, now_ms()),
        build::info(),
        build::store_signed(&kp, Namespace(2), b"two".to_vec(), 600_000, now_ms()).unwrap(),
    ])
    .unwrap();
    let (code, body) = net.rpc(node, &batch).await;
    assert_eq!(code, 200, "{body}");
    let results: BatchResponse = serde_json::from_value(body).unwrap();
    let codes: Vec<u16> = results.results.iter().map(|r| r.code).collect();
    assert_eq!(codes, [200, 401, 421, 200, 200]);
    assert_eq!(
        results.results[1].error_text(),
        Some("retrieve signature verification failed")
    );
    let stored: StoreResponse = results.results[0].body_as().unwrap();
    assert_eq!(
        stored.hash.as_deref(),
        Some(message_hash_for(&me, Namespace(0), b"one").as_str())
    );
    assert_eq!(stored.successes().count(), 5);
    for (n, r) in stored.successes() {
        r.verify(n).unwrap();
    }
    let swarm: GetSwarmResponse = results.results[2].body_as().unwrap();
    assert_ne!(swarm.swarm_id(), Some(node.swarm_id()));

    // sequence: stops at the first failure.
    let sequence = build::sequence(vec![
        build::store_unsigned(me, Namespace(0), b"three".to_vec(), 600_000, now_ms()).unwrap(),
        forged,
        build::info(),
    ])
    .unwrap();
    let (code, body) = net.rpc(node, &sequence).await;
    assert_eq!(code, 200, "{body}");
    let results: BatchResponse = serde_json::from_value(body).unwrap();
    let codes: Vec<u16> = results.results.iter().map(|r| r.code).collect();
    assert_eq!(codes, [200, 401]);
    let (code, body) = net
        .raw(
            node,
            br#"{"method":"batch","params":{"requests":[]}}"#.to_vec(),
        )
        .await;
    assert_eq!(
        (code, text(&body)),
        (
            400,
            "invalid request: Invalid batch request: no valid \"requests\" field"
        )
    );

    // The forward endpoint: unsigned 400, signed by a stranger 403, by a member of another
    // swarm 403, forged 401, properly signed by a swarm peer 200 with per-request results.
    let url = format!("{}{FORWARD_PATH}", node.url());
    let store = build::store_unsigned(me, Namespace(0), b"fwd".to_vec(), 600_000, now_ms());
    let body = format!(r#"{{"requests":[{}]}}"#, store.unwrap().to_json()).into_bytes();
    let send = |signer: Option<&NodeIdentity>, tamper: bool| {
        let mut req = net.http.post(&url).body(body.clone());
        if let Some(id) = signer {
            let mut auth = PeerAuth::sign(
                id,
                FORWARD_DOMAIN,
                &node.ed25519_public(),
                &body,
                session_node::time::now_ms(),
            );
            if tamper {
                auth.tag[3] ^= 1;
            }
            for (name, value) in auth.headers() {
                req = req.header(name, value);
            }
        }
        req.send()
    };
    assert_eq!(send(None, false).await.unwrap().status(), 400);
    let stranger = NodeIdentity::from_seed32(&[9; 32]);
    assert_eq!(send(Some(&stranger), false).await.unwrap().status(), 403);
    let outsider = net
        .nodes()
        .iter()
        .find(|n| n.swarm_id() != node.swarm_id())
        .unwrap();
    let resp = send(Some(&outsider.context().identity), false)
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let peer = net
        .nodes()
        .iter()
        .find(|n| n.swarm_id() == node.swarm_id() && n.addr() != node.addr())
        .unwrap();
    let resp = send(Some(&peer.context().identity), true).await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = send(Some(&peer.context().identity), false).await.unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    let result = &answer["results"][0];
    assert_eq!(result["code"], 200, "{answer}");
    assert_eq!(
        result["body"]["hash"],
        json!(message_hash_for(&me, Namespace(0), b"fwd"))
    );
    // A forwarded copy is not forwarded again: only this node has it.
    let holders = {
        let mut n = 0;
        for m in net.members(node.swarm_id()) {
            let req = build::retrieve(&kp, Namespace(0), None, None, now_ms());
            let (_, body) = net.rpc(m, &req).await;
            let has = body["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|msg| msg["hash"] == result["body"]["hash"]);
            n += usize::from(has);
        }
        n
    };
    assert_eq!(holders, 1);

    net.stop().await;
}

//! `store` and `retrieve` over real HTTPS on an in-process devnet (two swarms of five): swarm
//! replication with every member's signature checked, paging, sizes, expiry, and every
//! documented error.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod rpc_support;

use rpc_support::{account, keypair_in, now_ms, start, text};
use serde_json::{json, Value};
use session_protocol::rpc::build;
use session_protocol::rpc::message_hash_for;
use session_protocol::rpc::request::{Request, StoreLifetime};
use session_protocol::rpc::response::{
    parse_response, GetSwarmResponse, RetrieveResponse, StoreResponse,
};
use session_protocol::rpc::Namespace;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_replicates_to_the_swarm_and_retrieve_pages() {
    let net = start(10, 5).await;
    let swarm = net.nodes()[0].swarm_id();
    let kp = keypair_in(&net, swarm);
    let me = account(&kp);
    let members = net.members(swarm);
    assert_eq!(members.len(), 5);

    // A signed store into a private namespace through one member.
    let data = b"replicated message".to_vec();
    let req = build::store_signed(&kp, Namespace(2), data.clone(), 3_600_000, now_ms()).unwrap();
    let (code, body) = net.rpc(members[1], &req).await;
    assert_eq!(code, 200, "{body}");
    let resp: StoreResponse = parse_response(body.to_string().as_bytes()).unwrap();
    let hash = message_hash_for(&me, Namespace(2), &data);
    assert_eq!(resp.hash.as_deref(), Some(hash.as_str()));
    assert!(resp.t.is_some() && resp.hf.is_some());
    assert_eq!(resp.swarm.len(), 5);
    for m in &members {
        let key = hex::encode(m.ed25519_public());
        let result = body["swarm"][&key].clone();
        assert!(result.get("failed").is_none(), "{key}: {result}");
    }
    let entry_key = hex::encode(members[1].ed25519_public());
    let mut verified = 0;
    for (node, result) in resp.successes() {
        assert_eq!(result.hash, hash);
        // New to the entry node. A peer may truthfully answer `already`: right after the devnet
        // starts, its catch-up rounds with the entry node can pull the message before the
        // forwarded copy arrives.
        if node == entry_key {
            assert!(!result.already);
        }
        result.verify(node).unwrap();
        verified += 1;
    }
    assert_eq!(verified, 5);
    // The entry node's own result carries the deprecated `t`.
    let entry = hex::encode(members[1].ed25519_public());
    assert!(body["swarm"][&entry]["t"].is_i64());

    // Every member has it.
    for m in &members {
        let req = build::retrieve(&kp, Namespace(2), None, None, now_ms());
        let (code, body) = net.rpc(m, &req).await;
        assert_eq!(code, 200, "{body}");
        assert_eq!(body["messages"][0]["hash"], json!(hash));
        assert!(body["messages"][0]["expiration"].is_u64());
        let got: RetrieveResponse = serde_json::from_value(body).unwrap();
        assert_eq!(got.messages.len(), 1);
        assert_eq!(got.messages[0].data, data);
        assert!(!got.more);
    }

    // Storing it again: `already` everywhere.
    let (code, body) = net.rpc(members[2], &req).await;
    assert_eq!(code, 200, "{body}");
    let resp: StoreResponse = serde_json::from_value(body).unwrap();
    assert!(resp.successes().all(|(_, r)| r.already));

    // Unsigned store into the public inbox (namespace 0), then paging with last_hash.
    let mut hashes = Vec::new();
    for i in 0..5u8 {
        let data = vec![i; 100];
        let req =
            build::store_unsigned(me, Namespace(0), data.clone(), 3_600_000, now_ms()).unwrap();
        let (code, body) = net.rpc(members[0], &req).await;
        assert_eq!(code, 200, "{body}");
        hashes.push(message_hash_for(&me, Namespace(0), &data));
    }
    let page = |last: Option<String>| {
        let mut req = build::retrieve(&kp, Namespace(0), last, None, now_ms());
        if let Request::Retrieve(p) = &mut req {
            p.max_count = Some(2);
        }
        req
    };
    let mut seen = Vec::new();
    let mut last = None;
    let mut pages = 0;
    loop {
        let (code, body) = net.rpc(members[4], &page(last.clone())).await;
        assert_eq!(code, 200, "{body}");
        let got: RetrieveResponse = serde_json::from_value(body).unwrap();
        pages += 1;
        seen.extend(got.messages.iter().map(|m| m.hash.clone()));
        last = got.messages.last().map(|m| m.hash.clone());
        if !got.more {
            break;
        }
        assert_eq!(got.messages.len(), 2);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, hashes);

    // Negative max_size is a fraction of 7.8 MB: three 30 kB messages, 1/200 of the maximum
    // (39 kB) returns one at a time.
    for i in 0..3u8 {
        let req = build::store_signed(&kp, Namespace(3), vec![i; 30_000], 3_600_000, now_ms());
        let (code, body) = net.rpc(members[3], &req.unwrap()).await;
        assert_eq!(code, 200, "{body}");
    }
    let req = build::retrieve(&kp, Namespace(3), None, Some(-200), now_ms());
    let (code, body) = net.rpc(members[0], &req).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(body["more"], json!(true));
    let req = build::retrieve(&kp, Namespace(3), None, None, now_ms());
    let (_, body) = net.rpc(members[0], &req).await;
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    assert_eq!(body["more"], json!(false));

    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn errors_have_upstream_codes_and_texts() {
    let net = start(10, 5).await;
    let swarm = net.nodes()[0].swarm_id();
    let kp = keypair_in(&net, swarm);
    let me = account(&kp);
    let (home, away) = net.home_and_away(&me);
    let away = away.unwrap();

    // Malformed and unknown.
    let (code, body) = net.raw(home, b"{nope".to_vec()).await;
    assert_eq!((code, text(&body)), (400, "invalid json"));
    let (code, body) = net
        .raw(home, br#"{"method":"frobnicate","params":{}}"#.to_vec())
        .await;
    assert_eq!((code, text(&body)), (400, "no method frobnicate"));
    let (code, body) = net
        .raw(home, br#"{"method":"store","params":{}}"#.to_vec())
        .await;
    assert_eq!(code, 400);
    assert!(text(&body).starts_with("invalid request: "), "{body}");

    // Retrieve without a signature, with a forged one, with a stale timestamp.
    let mut unsigned = build::retrieve(&kp, Namespace(0), None, None, now_ms());
    if let Request::Retrieve(p) = &mut unsigned {
        p.auth = None;
        p.timestamp = None;
    }
    let (code, body) = net.rpc(home, &unsigned).await;
    assert_eq!(
        (code, text(&body)),
        (401, "retrieve: request signature required")
    );
    let mut forged = build::retrieve(&kp, Namespace(0), None, None, now_ms());
    if let Request::Retrieve(p) = &mut forged {
        p.auth.as_mut().unwrap().signature[5] ^= 1;
    }
    let (code, body) = net.rpc(home, &forged).await;
    assert_eq!(
        (code, text(&body)),
        (401, "retrieve signature verification failed")
    );
    let stale = build::retrieve(&kp, Namespace(0), None, None, now_ms() - 120_000);
    let (code, body) = net.rpc(home, &stale).await;
    assert_eq!(
        (code, text(&body)),
        (406, "retrieve timestamp too far from current time")
    );

    // Store: TTL out of bounds, clock, missing signature, forged signature.
    let short = build::store_unsigned(me, Namespace(0), b"x".to_vec(), 9_000, now_ms()).unwrap();
    let (code, body) = net.rpc(home, &short).await;
    assert_eq!(
        (code, text(&body)),
        (403, "Provided expiry/TTL is not valid.")
    );
    let long = build::store_unsigned(me, Namespace(0), b"x".to_vec(), 15 * 86_400_000, now_ms());
    let (code, body) = net.rpc(home, &long.unwrap()).await;
    assert_eq!(
        (code, text(&body)),
        (403, "Provided expiry/TTL is not valid.")
    );
    // 15 days is fine in a private namespace (30 days there).
    let private = build::store_signed(&kp, Namespace(5), b"x".to_vec(), 15 * 86_400_000, now_ms());
    let (code, body) = net.rpc(home, &private.unwrap()).await;
    assert_eq!(code, 200, "{body}");
    let future = build::store_unsigned(me, Namespace(0), b"x".to_vec(), 60_000, now_ms() + 60_000);
    let (code, body) = net.rpc(home, &future.unwrap()).await;
    assert_eq!(
        (code, text(&body)),
        (406, "Timestamp error: check your clock")
    );
    let mut unsigned_private =
        build::store_signed(&kp, Namespace(2), b"x".to_vec(), 60_000, now_ms()).unwrap();
    if let Request::Store(p) = &mut unsigned_private {
        p.auth = None;
    }
    let (code, body) = net.rpc(home, &unsigned_private).await;
    assert_eq!(
        (code, text(&body)),
        (401, "store: signature required to store to namespace 2")
    );
    let mut forged =
        build::store_signed(&kp, Namespace(2), b"x".to_vec(), 60_000, now_ms()).unwrap();
    if let Request::Store(p) = &mut forged {
        p.auth.as_mut().unwrap().signature[0] ^= 1;
    }
    let (code, body) = net.rpc(home, &forged).await;
    assert_eq!(
        (code, text(&body)),
        (401, "store signature verification failed")
    );
    let stale_sig = build::store_signed(
        &kp,
        Namespace(2),
        b"x".to_vec(),
        600_000,
        now_ms() - 120_000,
    );
    let (code, body) = net.rpc(home, &stale_sig.unwrap()).await;
    assert_eq!(
        (code, text(&body)),
        (406, "store signature timestamp too far from current time")
    );

    // Too big: a message over 76,800 bytes is a parse error (400, upstream's text); a body over
    // 10 MiB is 413.
    let mut big = build::store_unsigned(me, Namespace(0), vec![1; 10], 60_000, now_ms()).unwrap();
    if let Request::Store(p) = &mut big {
        p.data = vec![7; 76_801];
    }
    let (code, body) = net.rpc(home, &big).await;
    assert_eq!(
        (code, text(&body)),
        (
            400,
            "invalid request: Message body exceeds maximum allowed length of 76800 bytes"
        )
    );
    let mut huge = br#"{"method":"info","params":{"x":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024 + 1));
    huge.extend_from_slice(br#""}}"#);
    let (code, body) = net.raw(home, huge).await;
    assert_eq!((code, text(&body)), (413, "Request body too large"));

    // Wrong swarm: 421 with the account's swarm.
    let req = build::store_unsigned(me, Namespace(0), b"x".to_vec(), 60_000, now_ms()).unwrap();
    let (code, body) = net.rpc(away, &req).await;
    assert_eq!(code, 421, "{body}");
    let swarm_body: GetSwarmResponse = serde_json::from_value(body).unwrap();
    assert_eq!(swarm_body.swarm_id(), Some(home.swarm_id()));
    let mut listed: Vec<String> = swarm_body
        .snodes
        .iter()
        .map(|s| s.pubkey_ed25519.clone())
        .collect();
    let mut expected: Vec<String> = net
        .members(home.swarm_id())
        .iter()
        .map(|n| hex::encode(n.ed25519_public()))
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    let node = &swarm_body.snodes[0];
    let member = net
        .nodes()
        .iter()
        .find(|n| hex::encode(n.ed25519_public()) == node.pubkey_ed25519)
        .unwrap();
    assert_eq!(node.port_https, member.addr().port());
    assert_eq!(node.ip, "127.0.0.1");
    assert!(swarm_body.t.is_some() && swarm_body.hf.is_some());
    let retrieve = build::retrieve(&kp, Namespace(0), None, None, now_ms());
    let (code, _) = net.rpc(away, &retrieve).await;
    assert_eq!(code, 421);
    // Even a badly signed request is redirected first (upstream order).
    let (code, _) = net.rpc(away, &forged).await;
    assert_eq!(code, 421);

    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_messages_are_not_returned() {
    let net = start(5, 5).await;
    let kp = keypair_in(&net, net.nodes()[0].swarm_id());
    let node = &net.nodes()[0];

    // A store whose expiry is already past (but within the 10 s tolerance) is accepted and
    // never returned.
    let now = now_ms();
    let mut late = build::store_signed(&kp, Namespace(2), b"late".to_vec(), 10_000, now).unwrap();
    if let Request::Store(p) = &mut late {
        // The signature covers `sig_timestamp`, which defaults to `timestamp`.
        p.sig_timestamp = Some(now);
        p.timestamp = now - 15_000;
        p.lifetime = StoreLifetime::Ttl(10_000);
    }
    let (code, body) = net.rpc(node, &late).await;
    assert_eq!(code, 200, "{body}");
    // One that lives 10 s.
    let short = build::store_signed(&kp, Namespace(2), b"short".to_vec(), 10_000, now_ms());
    let (code, body) = net.rpc(node, &short.unwrap()).await;
    assert_eq!(code, 200, "{body}");
    let retrieve = || build::retrieve(&kp, Namespace(2), None, None, now_ms());
    let (_, body) = net.rpc(node, &retrieve()).await;
    let messages: Vec<Value> = body["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 1, "{body}");

    // 11 s later on this node's clock (no sleeping): gone.
    node.context().rpc.set_clock_offset_ms(11_000);
    let (code, body) = net.rpc(node, &retrieve()).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["messages"], json!([]));
    node.context().rpc.set_clock_offset_ms(0);

    net.stop().await;
}

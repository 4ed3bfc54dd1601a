//! Onion requests through a devnet: three relays to a snode destination, and the errors relays
//! send on the way (real HTTPS on loopback, devnet in a temp dir).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod onion_support;

use std::time::Duration;

use onion_support::{client, extra_node, hop, post_onion, start, text};
use rand::rngs::OsRng;
use rand::RngCore;
use serde_json::Value;
use session_node::node::onion::{HOP_LIMIT_TEXT, PARSE_ERROR_PREFIX};
use session_node::time::now_ms;
use session_protocol::identity::Keypair;
use session_protocol::onion::{
    build_onion_request, decode_snode_reply, decode_snode_reply_binary, encode_combined,
    seal_for_node, CombinedPayload, EncType, LayerHeader, OnionDestination, PathError, PathHop,
    SnodeFlags, SnodeTarget, INVALID_JSON_TEXT,
};
use session_protocol::rpc::build;
use session_protocol::rpc::response::{RetrieveResponse, StoreNodeResult};
use session_protocol::rpc::{Namespace, Request, SwarmResponse};

const ENC_TYPES: [EncType; 2] = [EncType::AesGcm, EncType::XChaCha20];

fn snode(node: PathHop, flags: SnodeFlags) -> OnionDestination {
    OnionDestination::Snode(SnodeTarget { node, flags })
}

/// A hop nobody in the network has.
fn stranger() -> PathHop {
    let (_, keys) = Keypair::generate();
    PathHop {
        ed25519: keys.ed25519_public(),
        x25519: x25519_dalek::PublicKey::from(keys.x25519_public()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn info_through_three_relays_with_every_cipher_and_reply_encoding() {
    let net = start(4, 4).await;
    let nodes = net.nodes();
    let path: Vec<PathHop> = nodes[..3].iter().map(hop).collect();
    let destination = hop(&nodes[3]);
    let http = client();
    let body = build::info().to_body();

    for enc_type in ENC_TYPES {
        // Defaults: base64 text, the JSON body double-encoded as a string.
        let req = build_onion_request(
            &path,
            &snode(destination, SnodeFlags::default()),
            &body,
            enc_type,
            &mut OsRng,
        )
        .unwrap();
        let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{enc_type}: {}", text(&reply));
        let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_string(), "{:?}", reply.body);
        let info = reply.body_json().unwrap();
        assert_eq!(info["version"], serde_json::json!([2, 8, 0]));
        assert!(info["timestamp"].as_i64().unwrap() > 0);

        // json: true embeds the body; base64: false sends raw ciphertext.
        let flags = SnodeFlags {
            json: Some(true),
            base64: Some(false),
        };
        let req = build_onion_request(
            &path,
            &snode(destination, flags),
            &body,
            enc_type,
            &mut OsRng,
        )
        .unwrap();
        let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{enc_type}: {}", text(&reply));
        let reply = decode_snode_reply_binary(&req.reply_key, &reply).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["version"], serde_json::json!([2, 8, 0]));
    }

    // Errors of the storage RPC travel encrypted like answers.
    let req = build_onion_request(
        &path,
        &snode(destination, SnodeFlags::default()),
        br#"{"method":"no_such_method","params":{}}"#,
        EncType::AesGcm,
        &mut OsRng,
    )
    .unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(status, 200);
    let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
    assert_eq!(reply.status, 400);
    assert!(
        reply
            .body_text()
            .is_some_and(|t| t.contains("no_such_method")),
        "{:?}",
        reply.body
    );
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_store_then_retrieve_through_three_relays() {
    let net = start(4, 4).await;
    let nodes = net.nodes();
    let path: Vec<PathHop> = nodes[..3].iter().map(hop).collect();
    let destination = snode(hop(&nodes[3]), SnodeFlags::default());
    let http = client();
    let (_, user) = Keypair::generate();

    for enc_type in ENC_TYPES {
        let data = format!("hello through the onion with {enc_type}").into_bytes();
        let now = u64::try_from(now_ms()).unwrap();
        let store = build::store_signed(&user, Namespace(0), data.clone(), 3_600_000, now).unwrap();
        let req = build_onion_request(&path, &destination, &store.to_body(), enc_type, &mut OsRng)
            .unwrap();
        let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{}", text(&reply));
        let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
        assert_eq!(reply.status, 200, "store: {:?}", reply.body);
        let stored: SwarmResponse<StoreNodeResult> =
            serde_json::from_value(reply.body_json().unwrap()).unwrap();
        let hash = stored.hash.clone().unwrap();

        let retrieve = build::retrieve(&user, Namespace(0), None, None, now);
        assert!(matches!(retrieve, Request::Retrieve(_)));
        let req = build_onion_request(
            &path,
            &destination,
            &retrieve.to_body(),
            enc_type,
            &mut OsRng,
        )
        .unwrap();
        let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
        assert_eq!(status, 200, "{}", text(&reply));
        let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
        assert_eq!(reply.status, 200, "retrieve: {:?}", reply.body);
        let found: RetrieveResponse = serde_json::from_value(reply.body_json().unwrap()).unwrap();
        let message = found.messages.iter().find(|m| m.hash == hash).unwrap();
        assert_eq!(message.data, data);
    }
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relays_report_missing_and_dead_next_nodes() {
    let net = start(3, 3).await;
    let nodes = net.nodes();
    let http = client();
    let info = build::info().to_body();
    let destination = snode(hop(&nodes[2]), SnodeFlags::default());
    let unknown = stranger();

    // The guard does not know the second hop.
    let req = build_onion_request(
        &[hop(&nodes[0]), unknown, hop(&nodes[1])],
        &destination,
        &info,
        EncType::AesGcm,
        &mut OsRng,
    )
    .unwrap();
    let (status, body) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(status, 502);
    assert_eq!(
        text(&body),
        format!("Next node not found: {}", hex::encode(unknown.ed25519))
    );
    assert_eq!(
        PathError::from_status_and_body(status, &body),
        PathError::NextNodeNotFound {
            ed25519: unknown.ed25519
        }
    );

    // Deeper in the path: the second relay's 502 comes back through the guard unchanged.
    let req = build_onion_request(
        &[hop(&nodes[0]), hop(&nodes[1])],
        &snode(unknown, SnodeFlags::default()),
        &info,
        EncType::XChaCha20,
        &mut OsRng,
    )
    .unwrap();
    let (status, body) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(
        PathError::from_status_and_body(status, &body),
        PathError::NextNodeNotFound {
            ed25519: unknown.ed25519
        }
    );

    // A registered node that has stopped: the relay answers 504 like upstream.
    let (extra, extra_stop) = extra_node(&net, |_| {}).await;
    let dead = hop(&extra);
    extra_stop.trigger();
    tokio::time::timeout(Duration::from_secs(15), extra.join())
        .await
        .unwrap();
    let req = build_onion_request(
        &[hop(&nodes[0]), dead, hop(&nodes[1])],
        &destination,
        &info,
        EncType::AesGcm,
        &mut OsRng,
    )
    .unwrap();
    let (status, body) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!((status, text(&body).as_str()), (504, "Request time out"));
    assert_eq!(
        PathError::from_status_and_body(status, &body),
        PathError::Timeout
    );
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_layers_get_upstreams_answers() {
    let net = start(2, 2).await;
    let nodes = net.nodes();
    let node = &nodes[0];
    let http = client();

    // Well framed, but the ciphertext is noise.
    for enc_type in ENC_TYPES {
        let mut noise = vec![0u8; 200];
        OsRng.fill_bytes(&mut noise);
        let header = LayerHeader::new(stranger().x25519, enc_type);
        let body = encode_combined(&noise, &header.to_json()).unwrap();
        let (status, reply) = post_onion(&http, node, body).await;
        assert_eq!((status, text(&reply).as_str()), (400, "Invalid ciphertext"));
        assert_eq!(
            PathError::from_status_and_body(status, &reply),
            PathError::InvalidCiphertext
        );
    }

    // Encrypted for another node.
    let req = build_onion_request(
        &[],
        &snode(hop(&nodes[1]), SnodeFlags::default()),
        &build::info().to_body(),
        EncType::AesGcm,
        &mut OsRng,
    )
    .unwrap();
    let (status, reply) = post_onion(&http, node, req.body).await;
    assert_eq!((status, text(&reply).as_str()), (400, "Invalid ciphertext"));

    // Not a combined payload at all, or a header without a key.
    for body in [
        b"xy".to_vec(),
        vec![0xff, 0xff, 0, 0, 1, 2],
        encode_combined(b"abc", b"{\"enc_type\":\"aes-gcm\"}").unwrap(),
        encode_combined(b"abc", b"not json").unwrap(),
    ] {
        let (status, reply) = post_onion(&http, node, body).await;
        assert_eq!(status, 400);
        assert!(
            text(&reply).starts_with(PARSE_ERROR_PREFIX),
            "{}",
            text(&reply)
        );
    }

    // Decrypts, but the routing JSON inside is nonsense: an encrypted 400 "Invalid json".
    let inner = encode_combined(b"payload", b"{\"destination\": 7}").unwrap();
    let sealed = seal_for_node(EncType::XChaCha20, &hop(node).x25519, &inner, &mut OsRng).unwrap();
    let header = LayerHeader::new(sealed.ephemeral_public, EncType::XChaCha20);
    let body = encode_combined(&sealed.ciphertext, &header.to_json()).unwrap();
    let (status, reply) = post_onion(&http, node, body).await;
    assert_eq!(status, 200);
    let reply = decode_snode_reply(&sealed.key, &reply).unwrap();
    assert_eq!(
        (reply.status, reply.body_text()),
        (400, Some(INVALID_JSON_TEXT))
    );
    net.stop().await;
}

/// Rewrites the outer header of a request to carry `hop_no`.
fn with_hop_no(body: &[u8], hop_no: u32) -> Vec<u8> {
    let combined = CombinedPayload::parse(body).unwrap();
    let mut header = LayerHeader::parse(combined.json).unwrap();
    header.hop_no = Some(hop_no);
    encode_combined(combined.blob, &header.to_json()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn path_length_is_limited() {
    let net = start(2, 2).await;
    let nodes = net.nodes();
    let http = client();
    let info = build::info().to_body();
    let path = [hop(&nodes[0])];
    let destination = snode(hop(&nodes[1]), SnodeFlags::default());

    // A starting hop number is allowed (clients may fake one) up to the limit...
    let req = build_onion_request(&path, &destination, &info, EncType::AesGcm, &mut OsRng).unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], with_hop_no(&req.body, 14)).await;
    assert_eq!(status, 200, "{}", text(&reply));
    assert_eq!(
        decode_snode_reply(&req.reply_key, &reply).unwrap().status,
        200
    );

    // ...the next node counts one more and refuses past 15...
    let req = build_onion_request(&path, &destination, &info, EncType::AesGcm, &mut OsRng).unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], with_hop_no(&req.body, 15)).await;
    assert_eq!((status, text(&reply).as_str()), (400, HOP_LIMIT_TEXT));

    // ...and so does the first node.
    let req = build_onion_request(&path, &destination, &info, EncType::AesGcm, &mut OsRng).unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], with_hop_no(&req.body, 16)).await;
    assert_eq!((status, text(&reply).as_str()), (400, HOP_LIMIT_TEXT));

    // A path that loops back through the same nodes is fine while short.
    let looped = [
        hop(&nodes[0]),
        hop(&nodes[1]),
        hop(&nodes[0]),
        hop(&nodes[1]),
    ];
    let req =
        build_onion_request(&looped, &destination, &info, EncType::XChaCha20, &mut OsRng).unwrap();
    let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
    assert_eq!(status, 200, "{}", text(&reply));
    let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply
        .body_json()
        .unwrap()
        .get("version")
        .is_some_and(Value::is_array));
    net.stop().await;
}

/// Rough latency of a 3-hop `info` round trip on loopback, warm connections. Run with
/// `cargo test --release -p session-node --test onion_relay -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "measurement, not a check"]
async fn three_hop_info_latency() {
    let net = start(4, 4).await;
    let nodes = net.nodes();
    let path: Vec<PathHop> = nodes[..3].iter().map(hop).collect();
    let destination = snode(hop(&nodes[3]), SnodeFlags::default());
    let http = client();
    let body = build::info().to_body();
    for enc_type in ENC_TYPES {
        let mut samples = Vec::new();
        for i in 0..520 {
            let req =
                build_onion_request(&path, &destination, &body, enc_type, &mut OsRng).unwrap();
            let started = std::time::Instant::now();
            let (status, reply) = post_onion(&http, &nodes[0], req.body).await;
            let reply = decode_snode_reply(&req.reply_key, &reply).unwrap();
            let elapsed = started.elapsed();
            assert_eq!((status, reply.status), (200, 200));
            if i >= 20 {
                samples.push(elapsed); // the first requests open the TLS connections
            }
        }
        samples.sort();
        let at = |q: usize| samples[samples.len() * q / 100];
        println!(
            "{enc_type}: 3-hop info round trip over {} requests: p50 {:?}, p90 {:?}, p99 {:?}",
            samples.len(),
            at(50),
            at(90),
            at(99)
        );
    }
    net.stop().await;
}

//! A store while two swarm members are out: one stopped (connections refused), one that
//! accepts connections and never answers. The store still succeeds, their entries say
//! `timeout`, and the next store does not wait for them again.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod rpc_support;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use rpc_support::{account, keypair, now_ms, start};
use serde_json::Value;
use session_node::identity::NodeIdentity;
use session_node::node::{self, NodeConfig};
use session_node::seed::registration::Registration;
use session_node::shutdown;
use session_protocol::rpc::build;
use session_protocol::rpc::response::StoreResponse;
use session_protocol::rpc::Namespace;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn down_members_time_out_without_stalling_stores() {
    // Three nodes in a swarm that holds five.
    let net = start(3, 5).await;
    let seed_url = net.net.seed_url();

    // A fourth, real node with its own stop switch.
    let (extra_trigger, extra_stop) = shutdown::channel();
    let extra = node::start(
        NodeConfig {
            data_dir: net.dir.path().join("extra"),
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed_url: seed_url.clone(),
            rate_limit: false,
            ..NodeConfig::default()
        },
        extra_stop,
    )
    .await
    .unwrap();
    let extra_key = extra.ed25519_public();

    // A fifth that accepts TCP connections and never says anything.
    let hole = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let hole_port = hole.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hole.incoming() {
            held.push(stream);
        }
    });
    let silent = NodeIdentity::from_seed32(&[42; 32]);
    let reg = Registration::sign(
        &silent,
        Ipv4Addr::LOCALHOST,
        hole_port,
        0,
        [2, 8, 0],
        session_node::time::now_ms(),
    );
    let resp = net
        .http
        .post(format!("{seed_url}/register"))
        .json(&reg)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // Everyone sees all five in one swarm.
    let swarm = net.nodes()[0].swarm_id();
    assert_eq!(extra.swarm_id(), swarm);
    for n in net.nodes() {
        let network = &n.context().network;
        let mut changes = network.subscribe();
        network.request_refresh();
        tokio::time::timeout(Duration::from_secs(10), async {
            while changes.borrow_and_update().nodes.len() < 5 {
                changes.changed().await.unwrap();
            }
        })
        .await
        .unwrap();
        assert_eq!(n.context().network.view().swarm_members(swarm).len(), 5);
    }

    extra_trigger.trigger();
    extra.join().await;

    let kp = keypair();
    let me = account(&kp);
    let entry = &net.nodes()[0];
    let down = [hex::encode(extra_key), hex::encode(silent.ed25519_public())];

    let store = |text: &'static [u8]| {
        build::store_signed(&kp, Namespace(2), text.to_vec(), 600_000, now_ms()).unwrap()
    };
    let check = |body: &Value| {
        let resp: StoreResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(resp.swarm.len(), 5, "{body}");
        let mut ok = 0;
        for (node, r) in resp.successes() {
            r.verify(node).unwrap();
            ok += 1;
        }
        assert_eq!(ok, 3, "{body}");
        for key in &down {
            let entry = &body["swarm"][key];
            assert_eq!(entry["failed"], true, "{body}");
            assert_eq!(entry["timeout"], true, "{body}");
        }
    };

    // The first store waits for the silent member up to the forward timeout, then answers.
    let (code, body) = net.rpc(entry, &store(b"first")).await;
    assert_eq!(code, 200, "{body}");
    check(&body);

    // Both are now marked down: the next store answers for them at once instead of waiting
    // again, which their reason says. (They stay marked for DOWN_FOR, 5 s from when they
    // failed; this store follows the first at once, 2.5 s before the earlier mark ends.)
    let (code, body) = net.rpc(entry, &store(b"second")).await;
    assert_eq!(code, 200, "{body}");
    check(&body);
    for key in &down {
        assert_eq!(
            body["swarm"][key]["reason"], "the peer is not answering (marked down)",
            "{body}"
        );
    }

    // The live members have both.
    for n in net.nodes() {
        let req = build::retrieve(&kp, Namespace(2), None, None, now_ms());
        let (code, body) = net.rpc(n, &req).await;
        assert_eq!(code, 200);
        assert_eq!(body["messages"].as_array().unwrap().len(), 2, "{body}");
    }
    assert_eq!(net.swarm_of(&me), swarm);

    net.stop().await;
}

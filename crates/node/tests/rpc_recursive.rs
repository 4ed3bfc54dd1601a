//! The swarm-wide methods (delete, delete_all, delete_before, expire, expire_all,
//! (un)revoke_subaccount) and get_expiries on a devnet swarm of five: every member runs them
//! and signs its own result, which the client-side helpers verify.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod rpc_support;

use ed25519_dalek::{Signer, SigningKey};
use rpc_support::{account, keypair, now_ms, start, text, Net};
use serde_json::{json, Value};
use session_protocol::rpc::account::{access, PREFIX_GROUP};
use session_protocol::rpc::build::{self, GroupAdminSigner, SubaccountSigner};
use session_protocol::rpc::request::Request;
use session_protocol::rpc::response::{
    AffectedHashes, BulkResponse, DeleteResponse, ExpireResponse, ExpiryValue, GetExpiriesResponse,
    RevokeResponse,
};
use session_protocol::rpc::{
    message_hash_for, AccountPubkey, ExpireMode, Namespace, NamespaceSelector, SignedSubaccount,
    SubaccountToken,
};

const MEMBERS: usize = 5;

/// Sends to node `i` and parses a swarm answer, checking every member answered.
async fn swarm_call<T: serde::de::DeserializeOwned>(
    net: &Net,
    i: usize,
    req: &Request,
) -> (u16, T, Value) {
    let (code, body) = net.rpc(&net.nodes()[i], req).await;
    assert_eq!(
        body["swarm"].as_object().map(|m| m.len()),
        Some(MEMBERS),
        "{body}"
    );
    let parsed = serde_json::from_value(body.clone()).unwrap();
    (code, parsed, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recursive_methods_run_on_every_member_with_valid_signatures() {
    let net = start(MEMBERS, MEMBERS).await;
    let kp = keypair();
    let me = account(&kp);
    let now = now_ms();

    // m0, m1 written 5 s ago; m2, m3 now (unsigned stores into the public inbox).
    let mut hashes = Vec::new();
    for i in 0..4u8 {
        let ts = if i < 2 { now - 5_000 } else { now };
        let req = build::store_unsigned(me, Namespace(0), vec![i; 50], 3_600_000, ts).unwrap();
        let (code, body) = net.rpc(&net.nodes()[usize::from(i)], &req).await;
        assert_eq!(code, 200, "{body}");
        hashes.push(message_hash_for(&me, Namespace(0), &[i; 50]));
    }

    // get_expiries (one node, no recursion).
    let req = build::get_expiries(&kp, hashes.clone(), now_ms()).unwrap();
    let (code, body) = net.rpc(&net.nodes()[4], &req).await;
    assert_eq!(code, 200, "{body}");
    let exp: GetExpiriesResponse = serde_json::from_value(body).unwrap();
    assert_eq!(exp.expiries.len(), 4);
    assert_eq!(exp.expiries[&hashes[0]], now - 5_000 + 3_600_000);

    // expire shorten m0.
    let soon = now_ms() + 60_000;
    let requested = vec![hashes[0].clone()];
    let req = build::expire(&kp, requested.clone(), vec![soon], ExpireMode::Shorten).unwrap();
    let (code, resp, _) = swarm_call::<ExpireResponse>(&net, 1, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &me, &requested).unwrap();
        assert_eq!(r.updated, requested);
        assert_eq!(r.expiry, ExpiryValue::One(soon));
        assert_eq!(r.unchanged.as_ref().map(|u| u.len()), Some(0));
    }
    assert_eq!(resp.successes().count(), MEMBERS);
    // "shorten" to a later time changes nothing: reported as unchanged.
    let later = soon + 60_000;
    let req = build::expire(&kp, requested.clone(), vec![later], ExpireMode::Shorten).unwrap();
    let (_, resp, _) = swarm_call::<ExpireResponse>(&net, 2, &req).await;
    for (node, r) in resp.successes() {
        r.verify(node, &me, &requested).unwrap();
        assert!(r.updated.is_empty());
        assert_eq!(r.unchanged.as_ref().unwrap()[&hashes[0]], soon);
    }
    // One expiry per message.
    let pair = vec![hashes[2].clone(), hashes[3].clone()];
    let (e2, e3) = (now_ms() + 100_000, now_ms() + 200_000);
    let req = build::expire(&kp, pair.clone(), vec![e2, e3], ExpireMode::Set).unwrap();
    let (_, resp, _) = swarm_call::<ExpireResponse>(&net, 3, &req).await;
    assert_eq!(resp.successes().count(), MEMBERS);
    for (node, r) in resp.successes() {
        r.verify(node, &me, &pair).unwrap();
        let mut want = [(hashes[2].clone(), e2), (hashes[3].clone(), e3)];
        want.sort();
        assert_eq!(
            r.updated,
            want.iter().map(|w| w.0.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            r.expiry,
            ExpiryValue::Many(want.iter().map(|w| w.1).collect())
        );
        assert!(r.unchanged.is_none());
    }
    // An expiry in the past is refused at the entry.
    let req = build::expire(
        &kp,
        requested.clone(),
        vec![now_ms() - 120_000],
        ExpireMode::Set,
    );
    let (code, body) = net.rpc(&net.nodes()[0], &req.unwrap()).await;
    assert_eq!(
        (code, text(&body)),
        (401, "expire: timestamp should be >= current time")
    );

    // delete m0 (required), then again: 404.
    let req = build::delete(&kp, requested.clone(), true).unwrap();
    let (code, resp, _) = swarm_call::<DeleteResponse>(&net, 4, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &me, &requested).unwrap();
        assert_eq!(r.deleted, requested);
    }
    assert_eq!(resp.successes().count(), MEMBERS);
    let (code, resp, _) = swarm_call::<DeleteResponse>(&net, 0, &req).await;
    assert_eq!(code, 404);
    assert!(resp.successes().all(|(_, r)| r.deleted.is_empty()));
    // A forged delete is refused.
    let mut forged = build::delete(&kp, vec![hashes[1].clone()], false).unwrap();
    if let Request::Delete(p) = &mut forged {
        p.auth.signature[9] ^= 4;
    }
    let (code, body) = net.rpc(&net.nodes()[0], &forged).await;
    assert_eq!(
        (code, text(&body)),
        (401, "delete_msgs signature verification failed")
    );

    // delete_before: m1 (5 s old) goes, m2 and m3 stay.
    let before = now - 2_500;
    let req = build::delete_before(&kp, NamespaceSelector::One(Namespace(0)), before);
    let (code, resp, _) = swarm_call::<BulkResponse>(&net, 1, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &me, before).unwrap();
        assert_eq!(
            r.deleted,
            Some(AffectedHashes::One(vec![hashes[1].clone()]))
        );
    }
    assert_eq!(resp.successes().count(), MEMBERS);

    // expire_all over all namespaces (m2 and m3 shortened), one more message in namespace 2.
    let req = build::store_signed(&kp, Namespace(2), b"cfg".to_vec(), 3_600_000, now_ms());
    assert_eq!(net.rpc(&net.nodes()[2], &req.unwrap()).await.0, 200);
    let cfg_hash = message_hash_for(&me, Namespace(2), b"cfg");
    let until = now_ms() + 90_000;
    let req = build::expire_all(&kp, NamespaceSelector::All, until);
    let (code, resp, _) = swarm_call::<BulkResponse>(&net, 2, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &me, until).unwrap();
        let AffectedHashes::ByNamespace(map) = r.updated.clone().unwrap() else {
            panic!("expected a namespace map");
        };
        let mut zero = vec![hashes[2].clone(), hashes[3].clone()];
        zero.sort();
        assert_eq!(map["0"], zero);
        assert_eq!(map["2"], vec![cfg_hash.clone()]);
    }
    assert_eq!(resp.successes().count(), MEMBERS);

    // delete_all in every namespace; nothing is left anywhere.
    let ts = now_ms();
    let req = build::delete_all(&kp, NamespaceSelector::All, ts);
    let (code, resp, _) = swarm_call::<BulkResponse>(&net, 3, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &me, ts).unwrap();
        assert_eq!(r.hashes().unwrap().sorted_all().len(), 3);
    }
    assert_eq!(resp.successes().count(), MEMBERS);
    let stale = build::delete_all(&kp, NamespaceSelector::All, now_ms() - 120_000);
    let (code, body) = net.rpc(&net.nodes()[0], &stale).await;
    assert_eq!(
        (code, text(&body)),
        (406, "delete_all timestamp too far from current time")
    );
    for node in net.nodes() {
        for ns in [0, 2] {
            let req = build::retrieve(&kp, Namespace(ns), None, None, now_ms());
            let (code, body) = net.rpc(node, &req).await;
            assert_eq!(code, 200);
            assert_eq!(body["messages"], json!([]), "{body}");
        }
    }

    net.stop().await;
}

fn signing_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut seed);
    SigningKey::from_bytes(&seed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn revoked_subaccounts_are_refused_on_every_member() {
    let net = start(MEMBERS, MEMBERS).await;
    let admin_key = signing_key();
    let admin = GroupAdminSigner(&admin_key);
    let group = AccountPubkey::new(PREFIX_GROUP, admin_key.verifying_key().to_bytes());
    let member_key = signing_key();
    let mut raw = [0u8; 36];
    raw[0] = PREFIX_GROUP;
    raw[1] = access::READ | access::WRITE;
    raw[4..].copy_from_slice(&member_key.verifying_key().to_bytes());
    let token = SubaccountToken(raw);
    let member = SubaccountSigner {
        account: group,
        subaccount: SignedSubaccount {
            token,
            signature: admin_key.sign(&token.0).to_bytes(),
        },
        key: &member_key,
    };

    // The admin posts; the member (a subaccount) reads and writes.
    let req = build::store_signed(&admin, Namespace(11), b"hi".to_vec(), 3_600_000, now_ms());
    assert_eq!(net.rpc(&net.nodes()[0], &req.unwrap()).await.0, 200);
    let req = build::store_signed(&member, Namespace(11), b"me".to_vec(), 3_600_000, now_ms());
    let (code, body) = net.rpc(&net.nodes()[1], &req.unwrap()).await;
    assert_eq!(code, 200, "{body}");
    let read = |ns: i16| build::retrieve(&member, Namespace(ns), None, None, now_ms());
    let (code, body) = net.rpc(&net.nodes()[2], &read(11)).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["messages"].as_array().unwrap().len(), 2);

    // Only the owner may revoke; the answer is signed by every member.
    let ts = now_ms();
    let req = build::revoke_subaccount(&admin, vec![token], false, ts);
    let (code, resp, _) = swarm_call::<RevokeResponse>(&net, 3, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &group, ts, &[token]).unwrap();
    }
    assert_eq!(resp.successes().count(), MEMBERS);
    for node in net.nodes() {
        let (code, body) = net.rpc(node, &read(11)).await;
        assert_eq!(
            (code, text(&body)),
            (401, "retrieve signature verification failed")
        );
        // Unrevocable namespaces (-11) stay readable.
        let (code, body) = net.rpc(node, &read(-11)).await;
        assert_eq!(code, 200, "{body}");
    }
    let req = build::store_signed(&member, Namespace(11), b"no".to_vec(), 3_600_000, now_ms());
    let (code, body) = net.rpc(&net.nodes()[4], &req.unwrap()).await;
    assert_eq!(
        (code, text(&body)),
        (401, "store signature verification failed")
    );

    // Unrevoke: count 1 everywhere, and the member reads again.
    let ts = now_ms();
    let req = build::revoke_subaccount(&admin, vec![token], true, ts);
    let (code, resp, _) = swarm_call::<RevokeResponse>(&net, 0, &req).await;
    assert_eq!(code, 200);
    for (node, r) in resp.successes() {
        r.verify(node, &group, ts, &[token]).unwrap();
        assert_eq!(r.count, Some(1));
    }
    for node in net.nodes() {
        assert_eq!(net.rpc(node, &read(11)).await.0, 200);
    }

    net.stop().await;
}

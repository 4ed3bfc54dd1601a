//! Storage RPC requests: exact signed bytes, builders, parsing with upstream error texts,
//! node-side verification, serde round trips, and never-panic properties.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use session_protocol::identity::Keypair;
use session_protocol::rpc::account::access;
use session_protocol::rpc::build::{self, GroupAdminSigner, RequestSigner, SubaccountSigner};
use session_protocol::rpc::signature as sig;
use session_protocol::rpc::{
    AccountPubkey, AuthError, ExpireMode, Namespace, NamespaceSelector, Request, RequestError,
    SignedSubaccount, SubaccountToken,
};

const NOW: u64 = 1_700_000_000_000;

fn alice() -> Keypair {
    Keypair::from_seed32(&[1u8; 32])
}

fn bob() -> Keypair {
    Keypair::from_seed32(&[2u8; 32])
}

fn hash(c: char) -> String {
    c.to_string().repeat(43)
}

#[test]
fn signed_bytes_match_protocol_md() {
    assert_eq!(
        sig::retrieve_signed_bytes(Namespace(0), NOW),
        b"retrieve1700000000000"
    );
    assert_eq!(
        sig::retrieve_signed_bytes(Namespace(-10), NOW),
        b"retrieve-101700000000000"
    );
    assert_eq!(
        sig::retrieve_signed_bytes(Namespace(3), NOW),
        b"retrieve31700000000000"
    );
    assert_eq!(
        sig::store_signed_bytes(Namespace(2), NOW),
        b"store21700000000000"
    );
    assert_eq!(
        sig::store_signed_bytes(Namespace(0), NOW),
        b"store1700000000000"
    );
    assert_eq!(sig::delete_signed_bytes(&["h1", "h2"]), b"deleteh1h2");
    assert_eq!(
        sig::delete_all_signed_bytes(NamespaceSelector::All, NOW),
        b"delete_allall1700000000000"
    );
    assert_eq!(
        sig::delete_all_signed_bytes(NamespaceSelector::One(Namespace(0)), NOW),
        b"delete_all1700000000000"
    );
    assert_eq!(
        sig::delete_before_signed_bytes(NamespaceSelector::One(Namespace(-42)), NOW),
        b"delete_before-421700000000000"
    );
    assert_eq!(
        sig::expire_signed_bytes(ExpireMode::Shorten, &[NOW], &["a", "b"]),
        b"expireshorten1700000000000ab"
    );
    assert_eq!(
        sig::expire_signed_bytes(ExpireMode::Extend, &[1, 22], &["a", "b"]),
        b"expireextend122ab"
    );
    assert_eq!(
        sig::expire_signed_bytes(ExpireMode::Set, &[NOW], &["a"]),
        b"expire1700000000000a"
    );
    assert_eq!(
        sig::expire_all_signed_bytes(NamespaceSelector::One(Namespace(99)), NOW),
        b"expire_all991700000000000"
    );
    assert_eq!(
        sig::get_expiries_signed_bytes(NOW, &["x", "y"]),
        b"get_expiries1700000000000xy"
    );
    let token = SubaccountToken([9u8; 36]);
    let mut expected = b"revoke_subaccount1700000000000".to_vec();
    expected.extend_from_slice(&[9u8; 36]);
    assert_eq!(
        sig::revoke_subaccount_signed_bytes(false, NOW, &[token]),
        expected
    );
    assert!(sig::revoke_subaccount_signed_bytes(true, NOW, &[]).starts_with(b"unrevoke_subaccount"));
}

/// One signed request of every kind, built by `signer`.
fn every_signed_request(signer: &dyn RequestSigner) -> Vec<Request> {
    let hashes = vec![hash('a'), hash('b')];
    let all = NamespaceSelector::All;
    let one = NamespaceSelector::One(Namespace(5));
    vec![
        build::store_signed(signer, Namespace(2), b"config".to_vec(), 86_400_000, NOW).unwrap(),
        build::retrieve(signer, Namespace(0), None, Some(-5), NOW),
        build::retrieve(signer, Namespace(3), Some(hash('z')), None, NOW),
        build::delete(signer, hashes.clone(), true).unwrap(),
        build::delete_all(signer, all, NOW),
        build::delete_all(signer, one, NOW),
        build::delete_before(signer, one, NOW - 1000),
        build::expire(signer, hashes.clone(), vec![NOW + 5000], ExpireMode::Set).unwrap(),
        build::expire(
            signer,
            hashes.clone(),
            vec![NOW + 1, NOW + 2],
            ExpireMode::Extend,
        )
        .unwrap(),
        build::expire_all(signer, all, NOW + 10_000),
        build::get_expiries(signer, hashes, NOW).unwrap(),
    ]
}

#[test]
fn keypair_requests_round_trip_and_verify() {
    let kp = alice();
    for req in every_signed_request(&kp) {
        assert_eq!(req.verify(NOW), Ok(()), "{}", req.method());
        let parsed = Request::parse(&req.to_body()).unwrap();
        assert_eq!(parsed, req);
        assert_eq!(parsed.verify(NOW + 59_000), Ok(()));
        // The 05 account carries pubkey_ed25519.
        let params = req.params_json();
        assert_eq!(params["pubkey"], json!(kp.session_id().to_hex()));
        assert_eq!(
            params["pubkey_ed25519"],
            json!(hex::encode(kp.ed25519_public()))
        );
    }
}

#[test]
fn group_and_subaccount_requests_verify() {
    let group_key = SigningKey::from_bytes(&[3u8; 32]);
    let admin = GroupAdminSigner(&group_key);
    assert_eq!(admin.account().prefix(), 3);
    for req in every_signed_request(&admin) {
        assert_eq!(req.verify(NOW), Ok(()), "{}", req.method());
        assert!(req.params_json().get("pubkey_ed25519").is_none());
        assert_eq!(Request::parse(&req.to_body()).unwrap(), req);
    }
    for unrevoke in [false, true] {
        let req = build::revoke_subaccount(&admin, vec![SubaccountToken([4; 36])], unrevoke, NOW);
        assert_eq!(req.verify(NOW), Ok(()));
        assert_eq!(Request::parse(&req.to_body()).unwrap(), req);
    }

    // A member with read+write+delete on the group.
    let member = SigningKey::from_bytes(&[4u8; 32]);
    let token = token_for(&member, access::READ | access::WRITE | access::DELETE);
    let sub = SubaccountSigner {
        account: admin.account(),
        subaccount: SignedSubaccount {
            token,
            signature: admin.sign(&token.0),
        },
        key: &member,
    };
    for req in every_signed_request(&sub) {
        assert_eq!(req.verify(NOW), Ok(()), "{}", req.method());
        assert_eq!(Request::parse(&req.to_body()).unwrap(), req);
        assert_eq!(req.subaccount_to_check(), Some(&token));
    }
    let unrevocable = build::retrieve(&sub, Namespace(-11), None, None, NOW);
    assert_eq!(unrevocable.verify(NOW), Ok(()));
    assert_eq!(unrevocable.subaccount_to_check(), None);

    // Read-only token: retrieve passes, store and delete fail.
    let read_only = token_for(&member, access::READ);
    let weak = SubaccountSigner {
        subaccount: SignedSubaccount {
            token: read_only,
            signature: admin.sign(&read_only.0),
        },
        ..sub
    };
    let r = build::retrieve(&weak, Namespace(11), None, None, NOW);
    assert_eq!(r.verify(NOW), Ok(()));
    let s = build::store_signed(&weak, Namespace(11), b"m".to_vec(), 60_000, NOW).unwrap();
    assert_eq!(s.verify(NOW), Err(AuthError::SignatureFailed("store")));
    let d = build::delete(&weak, vec![hash('a')], false).unwrap();
    assert_eq!(
        d.verify(NOW),
        Err(AuthError::SignatureFailed("delete_msgs"))
    );

    // Write without delete cannot shorten.
    let write_only = token_for(&member, access::READ | access::WRITE);
    let writer = SubaccountSigner {
        subaccount: SignedSubaccount {
            token: write_only,
            signature: admin.sign(&write_only.0),
        },
        ..sub
    };
    let e = build::expire(&writer, vec![hash('a')], vec![NOW], ExpireMode::Shorten).unwrap();
    assert_eq!(e.verify(NOW), Err(AuthError::SubaccountCannotShorten));
    assert_eq!(AuthError::SubaccountCannotShorten.http_status(), 400);

    // Token not signed by the group key.
    let forged = SubaccountSigner {
        subaccount: SignedSubaccount {
            token,
            signature: [0u8; 64],
        },
        ..sub
    };
    let r = build::retrieve(&forged, Namespace(11), None, None, NOW);
    assert_eq!(r.verify(NOW), Err(AuthError::SignatureFailed("retrieve")));
}

fn token_for(member: &SigningKey, flags: u8) -> SubaccountToken {
    let mut t = [0u8; 36];
    t[0] = 3;
    t[1] = flags;
    t[4..].copy_from_slice(&member.verifying_key().to_bytes());
    SubaccountToken(t)
}

fn with_params(req: &Request, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Request {
    let mut v = req.to_json();
    edit(v["params"].as_object_mut().unwrap());
    Request::from_json(&v).unwrap()
}

#[test]
fn forged_and_misattributed_signatures_are_401() {
    let kp = alice();
    let req = build::retrieve(&kp, Namespace(0), None, None, NOW);
    // Flip one signature bit.
    let Request::Retrieve(mut p) = req.clone() else {
        unreachable!()
    };
    let auth = p.auth.as_mut().unwrap();
    auth.signature[10] ^= 1;
    let forged = Request::Retrieve(p);
    let err = forged.verify(NOW).unwrap_err();
    assert_eq!(err, AuthError::SignatureFailed("retrieve"));
    assert_eq!(err.http_status(), 401);
    assert_eq!(err.to_string(), "retrieve signature verification failed");

    // Bob signs with his own ed key but claims Alice's account.
    let other = bob();
    let bob_req = build::retrieve(&other, Namespace(0), None, None, NOW);
    let Request::Retrieve(bp) = bob_req else {
        unreachable!()
    };
    let stolen = with_params(&req, |m| {
        m.insert(
            "signature".into(),
            bp.auth.as_ref().unwrap().signature_json(),
        );
        m.insert(
            "pubkey_ed25519".into(),
            json!(hex::encode(other.ed25519_public())),
        );
    });
    assert_eq!(
        stolen.verify(NOW),
        Err(AuthError::SignatureFailed("retrieve"))
    );

    // Dropping pubkey_ed25519 from a 05 request makes the X25519 bytes the key: fails.
    let no_ed = with_params(&req, |m| {
        m.remove("pubkey_ed25519");
    });
    assert_eq!(
        no_ed.verify(NOW),
        Err(AuthError::SignatureFailed("retrieve"))
    );

    // delete wording differs upstream.
    let d = build::delete(&kp, vec![hash('q')], false).unwrap();
    let tampered = with_params(&d, |m| {
        m.insert("messages".into(), json!([hash('r')]));
    });
    let e = tampered.verify(NOW).unwrap_err();
    assert_eq!(e.to_string(), "delete_msgs signature verification failed");
    let ex = build::expire(&kp, vec![hash('q')], vec![NOW], ExpireMode::Set).unwrap();
    let tampered = with_params(&ex, |m| {
        m.insert("shorten".into(), json!(true));
    });
    assert_eq!(
        tampered.verify(NOW).unwrap_err().to_string(),
        "expire: signature verification failed"
    );
}

trait SigJson {
    fn signature_json(&self) -> Value;
}
impl SigJson for session_protocol::rpc::RequestAuth {
    fn signature_json(&self) -> Value {
        json!(session_protocol::rpc::encoding::encode_base64(
            &self.signature
        ))
    }
}

#[test]
fn time_windows() {
    let kp = alice();
    let req = build::retrieve(&kp, Namespace(0), None, None, NOW);
    assert_eq!(req.verify(NOW + 60_000), Ok(()));
    assert_eq!(req.verify(NOW - 60_000), Ok(()));
    for now in [NOW + 61_000, NOW - 61_000] {
        let err = req.verify(now).unwrap_err();
        assert_eq!(err, AuthError::TimestampOutOfWindow("retrieve"));
        assert_eq!(err.http_status(), 406);
        assert_eq!(
            err.to_string(),
            "retrieve timestamp too far from current time"
        );
    }

    let st = build::store_signed(&kp, Namespace(3), b"c".to_vec(), 60_000, NOW).unwrap();
    // The store clock rule (10 s) fires before the signature window.
    assert_eq!(st.verify(NOW - 11_000), Err(AuthError::StoreClock));
    assert_eq!(
        AuthError::StoreClock.to_string(),
        "Timestamp error: check your clock"
    );
    let ttl_long = build::store_signed(&kp, Namespace(3), b"c".to_vec(), 10_000, NOW).unwrap();
    assert_eq!(ttl_long.verify(NOW + 61_000), Err(AuthError::StoreClock));
    let st_long = build::store_signed(&kp, Namespace(3), b"c".to_vec(), 86_400_000, NOW).unwrap();
    assert_eq!(
        st_long.verify(NOW + 61_000),
        Err(AuthError::TimestampOutOfWindow("store signature"))
    );

    let da = build::delete_all(&kp, NamespaceSelector::All, NOW);
    assert_eq!(da.verify_at(NOW + 65_000, true), Ok(()));
    assert_eq!(
        da.verify(NOW + 65_000),
        Err(AuthError::TimestampOutOfWindow("delete_all"))
    );

    let db = build::delete_before(&kp, NamespaceSelector::All, NOW + 61_000);
    assert_eq!(db.verify(NOW), Err(AuthError::DeleteBeforeInFuture));
    assert_eq!(AuthError::DeleteBeforeInFuture.http_status(), 401);

    let ex = build::expire(&kp, vec![hash('a')], vec![NOW - 61_000], ExpireMode::Set).unwrap();
    assert_eq!(ex.verify(NOW), Err(AuthError::ExpireInPast));
    assert_eq!(AuthError::ExpireInPast.http_status(), 401);

    let ea = build::expire_all(&kp, NamespaceSelector::All, NOW - 61_000);
    assert_eq!(ea.verify(NOW), Err(AuthError::ExpireAllInPast));
    assert_eq!(AuthError::ExpireAllInPast.http_status(), 406);

    let ge = build::get_expiries(&kp, vec![hash('a')], NOW).unwrap();
    assert_eq!(
        ge.verify(NOW + 61_000),
        Err(AuthError::TimestampOutOfWindow("get_expiries"))
    );
}

#[test]
fn store_rules() {
    let kp = alice();
    let recipient = AccountPubkey::from(&bob().session_id());
    let dm =
        build::store_unsigned(recipient, Namespace(0), vec![1, 2, 3], 1_209_600_000, NOW).unwrap();
    assert_eq!(dm.verify(NOW), Ok(()));
    let too_long =
        build::store_unsigned(recipient, Namespace(0), vec![1], 1_209_600_001, NOW).unwrap();
    let err = too_long.verify(NOW).unwrap_err();
    assert_eq!(err, AuthError::InvalidTtl);
    assert_eq!(err.http_status(), 403);
    assert_eq!(err.to_string(), "Provided expiry/TTL is not valid.");
    let too_short = build::store_unsigned(recipient, Namespace(0), vec![1], 9_999, NOW).unwrap();
    assert_eq!(too_short.verify(NOW), Err(AuthError::InvalidTtl));
    // Private namespaces allow 30 days.
    let month = build::store_signed(&kp, Namespace(2), vec![1], 2_592_000_000, NOW).unwrap();
    assert_eq!(month.verify(NOW), Ok(()));

    // Unsigned store into a private namespace.
    let unsigned = build::store_unsigned(recipient, Namespace(2), vec![1], 60_000, NOW).unwrap();
    let err = unsigned.verify(NOW).unwrap_err();
    assert_eq!(err.http_status(), 401);
    assert_eq!(
        err.to_string(),
        "store: signature required to store to namespace 2"
    );

    let big = build::store_unsigned(recipient, Namespace(0), vec![0; 76_801], 60_000, NOW);
    assert!(big.is_err());
    let max = build::store_unsigned(recipient, Namespace(0), vec![0; 76_800], 60_000, NOW).unwrap();
    assert_eq!(Request::parse(&max.to_body()).unwrap(), max);
}

#[test]
fn retrieve_auth_rules() {
    let account = AccountPubkey::from(&alice().session_id());
    let legacy = build::retrieve_unsigned(account, Namespace(-10), None);
    assert_eq!(legacy.verify(NOW), Ok(()));
    assert_eq!(Request::parse(&legacy.to_body()).unwrap(), legacy);
    let outbox = build::retrieve_unsigned(account, Namespace(-21), None);
    assert_eq!(outbox.verify(NOW), Ok(()));

    // No namespace, no signature: parses, then 401.
    let body = json!({"method": "retrieve", "params": {"pubkey": account.to_hex()}});
    let req = Request::from_json(&body).unwrap();
    let err = req.verify(NOW).unwrap_err();
    assert_eq!(err.to_string(), "retrieve: request signature required");
    assert_eq!(err.http_status(), 401);

    // Explicit private namespace without a signature: 400 at parse time.
    let body =
        json!({"method": "retrieve", "params": {"pubkey": account.to_hex(), "namespace": 2}});
    let err = Request::from_json(&body).unwrap_err();
    assert_eq!(err, RequestError::MissingField("signature"));
    assert_eq!(
        err.to_string(),
        "invalid request: Required field 'signature' missing"
    );
}

/// What Session desktop sends when polling its own swarm (SnodeRequestTypes.ts
/// `RetrieveUserSubRequest`, batched), with a real signature.
#[test]
fn desktop_style_batch_parses() {
    let kp = alice();
    let ts = NOW + 123;
    let mut subs = Vec::new();
    for ns in [0i16, 2, 3, 4, 5] {
        let sig_bytes = sig::retrieve_signed_bytes(Namespace(ns), ts);
        let signature = session_protocol::rpc::encoding::encode_base64(&kp.sign(&sig_bytes));
        subs.push(json!({
            "method": "retrieve",
            "params": {
                "namespace": ns,
                "pubkey": kp.session_id().to_hex(),
                "pubkey_ed25519": hex::encode(kp.ed25519_public()),
                "signature": signature,
                "timestamp": ts,
                "last_hash": "",
                "max_size": -5
            }
        }));
    }
    subs.push(json!({
        "method": "store",
        "params": {
            "pubkey": AccountPubkey::from(&bob().session_id()).to_hex(),
            "timestamp": ts,
            "namespace": 0,
            "ttl": 1_209_600_000u64,
            "data": "CAESBWhlbGxv"
        }
    }));
    subs.push(json!({"method": "info", "params": {}}));
    subs.push(json!({
        "method": "oxend_request",
        "params": {"endpoint": "get_service_nodes", "params": {"active_only": true}}
    }));
    subs.push(json!({
        "method": "get_swarm",
        "params": {"pubkey": kp.session_id().to_hex(), "params": {"active_only": true}}
    }));
    let body = json!({"method": "batch", "params": {"requests": subs}}).to_string();
    let req = Request::parse(body.as_bytes()).unwrap();
    let Request::Batch(items) = &req else {
        panic!("not a batch")
    };
    assert_eq!(items.len(), 9);
    for item in items {
        assert_eq!(item.verify(ts), Ok(()), "{}", item.method());
    }
    let Request::Retrieve(r) = &items[0] else {
        panic!("not retrieve")
    };
    assert_eq!(r.last_hash, None);
    assert_eq!(r.max_size, Some(-5));
    assert_eq!(Request::parse(&req.to_body()).unwrap(), req);
}

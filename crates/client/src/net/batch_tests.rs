//! Reading `batch`/`sequence` answers: garbage gives typed errors, never a panic.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use session_protocol::identity::Keypair;
use session_protocol::rpc::signature as sig;

use super::*;

/// A "node" that signs results, and the account the requests are for.
struct Fixture {
    node: Keypair,
    account: AccountPubkey,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            node: Keypair::generate().1,
            account: AccountPubkey::from(&Keypair::generate().1.session_id()),
        }
    }

    fn node_hex(&self) -> String {
        hex::encode(self.node.ed25519_public())
    }

    fn store_body(&self, hash: &str) -> Value {
        let signature = B64.encode(self.node.sign(&sig::node_store_signed_bytes(hash)));
        json!({"swarm": {self.node_hex(): {"hash": hash, "signature": signature}}, "hash": hash, "t": 7})
    }

    fn delete_body(&self, requested: &[String], deleted: &[String]) -> Value {
        let msg = sig::node_delete_signed_bytes(&self.account, requested, deleted);
        let signature = B64.encode(self.node.sign(&msg));
        json!({"swarm": {self.node_hex(): {"deleted": deleted, "signature": signature}}})
    }
}

fn retrieve_body(hashes: &[&str]) -> Value {
    let messages: Vec<Value> = hashes
        .iter()
        .map(|h| json!({"hash": h, "timestamp": 1, "expiration": 2, "data": "AAE="}))
        .collect();
    json!({"messages": messages, "more": false, "t": 5})
}

fn results(items: Vec<(u16, Value)>) -> Value {
    let items: Vec<Value> = items
        .into_iter()
        .map(|(code, body)| json!({"code": code, "body": body}))
        .collect();
    json!({ "results": items })
}

fn swarm_body() -> Value {
    json!({"snodes": [{"pubkey_x25519": hex::encode([1u8; 32]),
        "pubkey_ed25519": hex::encode([2u8; 32]), "ip": "1.2.3.4", "port_https": 443}],
        "swarm": "10"})
}

fn steps(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("step {i}")).collect()
}

#[test]
fn garbage_batch_answers_are_typed_errors() {
    let f = Fixture::new();
    let hashes = vec!["h".to_owned()];
    for body in [
        json!("not an object"),
        json!(null),
        json!([1, 2]),
        json!({}),
        json!({"results": "nope"}),
        json!({"results": [{"code": "200", "body": {}}]}),
        json!({"results": [{"code": 200}]}),
        json!({"results": [{"code": -1, "body": {}}]}),
        // Too few and too many results for two retrieves.
        results(vec![(200, retrieve_body(&[]))]),
        results(vec![(200, retrieve_body(&[])); 3]),
    ] {
        let got = parse_poll_batch(body.clone(), 2, &f.account, None);
        assert!(matches!(got, Err(NetError::BadResponse(_))), "{body}");
        let got = parse_poll_batch(body.clone(), 1, &f.account, Some(&hashes));
        assert!(matches!(got, Err(NetError::BadResponse(_))), "{body}");
    }
}

#[test]
fn each_retrieve_of_a_batch_gets_its_own_result() {
    let f = Fixture::new();
    let refreshed = vec!["x".to_owned()];
    let body = results(vec![
        (200, retrieve_body(&["a", "b"])),
        (200, json!({"messages": "garbage"})),
        (401, json!("bad signature")),
        (200, json!(retrieve_body(&["c"]).to_string())),
        // A garbage refresh answer is only logged.
        (200, json!({"swarm": 5})),
    ]);
    let Ok(Answer::Done(polled, t)) = parse_poll_batch(body, 4, &f.account, Some(&refreshed))
    else {
        panic!("the batch should be read");
    };
    assert_eq!(t, Some(5));
    assert_eq!(polled.len(), 4);
    let hashes = |r: &Result<RetrieveResult, NetError>| -> Vec<String> {
        r.as_ref()
            .unwrap()
            .messages
            .iter()
            .map(|m| m.hash.clone())
            .collect()
    };
    assert_eq!(hashes(&polled[0]), ["a", "b"]);
    assert!(matches!(polled[1], Err(NetError::BadResponse(_))));
    assert!(
        matches!(&polled[2], Err(NetError::Rejected { status: 401, text }) if text == "bad signature")
    );
    assert_eq!(hashes(&polled[3]), ["c"]);
}

#[test]
fn wrong_swarm_and_clock_in_sub_results_fail_the_whole_request() {
    let f = Fixture::new();
    let ok = (200, retrieve_body(&[]));
    let got = parse_poll_batch(
        results(vec![ok.clone(), (421, swarm_body())]),
        2,
        &f.account,
        None,
    );
    assert!(matches!(got, Ok(Answer::WrongSwarm(Ok(_)))));
    let got = parse_poll_batch(
        results(vec![(421, json!("??")), ok.clone()]),
        2,
        &f.account,
        None,
    );
    assert!(matches!(
        got,
        Ok(Answer::WrongSwarm(Err(NetError::BadResponse(_))))
    ));
    for clock in [406, 425] {
        let got = parse_poll_batch(
            results(vec![ok.clone(), (clock, json!("time"))]),
            2,
            &f.account,
            None,
        );
        assert!(matches!(got, Ok(Answer::Clock)));
        let got = parse_sequence(
            results(vec![(clock, json!("time"))]),
            &steps(2),
            2,
            &f.account,
            &[],
        );
        assert!(matches!(got, Ok(Answer::Clock)));
    }
    let got = parse_sequence(
        results(vec![(421, swarm_body())]),
        &steps(1),
        1,
        &f.account,
        &[],
    );
    assert!(matches!(got, Ok(Answer::WrongSwarm(Ok(_)))));
}

#[test]
fn garbage_sequence_answers_are_typed_errors() {
    let f = Fixture::new();
    let delete = vec!["old".to_owned()];
    let unsigned =
        json!({"swarm": {f.node_hex(): {"hash": "h", "signature": B64.encode([0u8; 64])}}});
    for body in [
        json!("not an object"),
        json!({}),
        json!({"results": {}}),
        // More results than steps.
        results(vec![(200, f.store_body("a")); 3]),
        // Fewer results and no failure among them.
        results(vec![(200, f.store_body("a"))]),
        // A store nobody signed, a store with a garbage body, a delete with a garbage body.
        results(vec![(200, unsigned), (200, f.delete_body(&delete, &[]))]),
        results(vec![
            (200, json!("{not json")),
            (200, f.delete_body(&delete, &[])),
        ]),
        results(vec![(200, f.store_body("a")), (200, json!({"swarm": []}))]),
    ] {
        let got = parse_sequence(body.clone(), &steps(2), 1, &f.account, &delete);
        assert!(
            matches!(got, Err(NetError::BadResponse(_))),
            "{body}: {got:?}"
        );
    }
}

#[test]
fn a_sequence_that_stopped_names_the_failed_step() {
    let f = Fixture::new();
    let names = vec![
        "store into namespace 2".to_owned(),
        "store into namespace 3".to_owned(),
        "delete of 1 old message(s)".to_owned(),
    ];
    let body = results(vec![
        (200, f.store_body("a")),
        (500, json!("database is locked")),
    ]);
    let err = match parse_sequence(body, &names, 2, &f.account, &["old".to_owned()]) {
        Err(e) => e,
        other => panic!("expected an error, got {other:?}"),
    };
    let NetError::SequenceStopped {
        step,
        total,
        what,
        cause,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (*step, *total, what.as_str()),
        (2, 3, "store into namespace 3")
    );
    assert!(matches!(**cause, NetError::Rejected { status: 500, .. }));
    assert!(err.is_retryable());
    assert!(err
        .to_string()
        .contains("step 2 of 3 (store into namespace 3)"));
}

#[test]
fn a_complete_sequence_gives_signed_hashes_and_the_delete() {
    let f = Fixture::new();
    let delete = vec!["old2".to_owned(), "old1".to_owned()];
    let body = results(vec![
        (200, f.store_body("a")),
        (200, f.store_body("b")),
        (200, f.delete_body(&delete, &["old1".to_owned()])),
    ]);
    let Ok(Answer::Done(outcome, t)) = parse_sequence(body, &steps(3), 2, &f.account, &delete)
    else {
        panic!("the sequence should be read");
    };
    assert_eq!(outcome.hashes, ["a", "b"]);
    assert!(outcome.deleted);
    assert_eq!(t, Some(7));

    // A delete signed for other hashes is not confirmed.
    let body = results(vec![(200, f.delete_body(&["other".to_owned()], &[]))]);
    let Ok(Answer::Done(outcome, _)) = parse_sequence(body, &steps(1), 0, &f.account, &delete)
    else {
        panic!("the sequence should be read");
    };
    assert!(outcome.hashes.is_empty());
    assert!(!outcome.deleted);
}

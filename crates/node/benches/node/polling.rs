//! Part b, the common case: polling clients. Each simulated client keeps its cursor (the newest
//! hash it has seen, sent as `last_hash`), as Session clients do, so most polls answer no
//! messages and a few answer the 1–2 that arrived since the last poll.
//!
//! Per round, before the clock starts: 0, 1 or 2 new messages are stored for each account
//! (untimed), then every account polls `requests / accounts` times. Its first poll of the round
//! sends the cursor from before the new messages (and gets them); the later polls send the
//! newest hash (and get nothing), as a client that advanced its cursor would.

use std::sync::Arc;

use serde_json::Value;
use session_protocol::identity::Keypair;

use crate::support::{post, retrieve_body, run_concurrent, store_body};
use crate::throughput::{summary_row, throughput, CONNECTIONS};
use crate::{Row, Settings};

/// New messages stored for account `i` before each polling round.
fn new_messages(i: usize) -> usize {
    i % 3
}

/// The polling clients: accounts and their cursors.
pub(crate) struct Polling<'a> {
    accounts: &'a [Keypair],
    /// Each account's newest seen hash (`None`: empty mailbox).
    cursors: Vec<Option<String>>,
}

/// The newest message hash in a `retrieve` answer.
fn newest_hash(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let messages = v.get("messages")?.as_array()?;
    Some(messages.last()?.get("hash")?.as_str()?.to_owned())
}

impl<'a> Polling<'a> {
    /// Catches every account up (one retrieve each, untimed) so each client starts with the
    /// newest hash of its mailbox as its cursor.
    pub(crate) async fn start(
        http: &reqwest::Client,
        url: &str,
        accounts: &'a [Keypair],
    ) -> Polling<'a> {
        let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
            accounts
                .iter()
                .map(|kp| retrieve_body(kp, 2, None))
                .collect(),
        );
        let cursors = fetch_all(http, url, bodies)
            .await
            .into_iter()
            .map(|answer| answer.as_deref().and_then(newest_hash))
            .collect();
        Polling { accounts, cursors }
    }

    /// Stores 0–2 new messages per account (untimed); returns each account's newest hash
    /// after them (its current cursor when it got none).
    async fn deliver(
        &self,
        http: &reqwest::Client,
        url: &str,
        round: usize,
    ) -> Vec<Option<String>> {
        let mut newest = self.cursors.clone();
        // One pass per message number, so an account's stores never race each other and its
        // newest hash is the one stored last.
        for k in 0..3 {
            let mut owners = Vec::new();
            let mut bodies = Vec::new();
            for (i, kp) in self.accounts.iter().enumerate() {
                if new_messages(i) > k {
                    let mut data = format!("poll {round} {i} {k}").into_bytes();
                    data.resize(120, 0x3c);
                    owners.push(i);
                    bodies.push(store_body(kp, 2, data, 3_600_000));
                }
            }
            let answers = fetch_all(http, url, Arc::new(bodies)).await;
            for (i, answer) in owners.into_iter().zip(answers) {
                let hash = answer.as_deref().and_then(|body| {
                    let v: Value = serde_json::from_slice(body).ok()?;
                    Some(v.get("hash")?.as_str()?.to_owned())
                });
                assert!(hash.is_some(), "a store before a polling round failed");
                newest[i] = hash;
            }
        }
        newest
    }

    /// Runs the polling rounds; one table row.
    pub(crate) async fn run(
        mut self,
        settings: &Settings,
        http: &reqwest::Client,
        url: &str,
    ) -> Row {
        let per_account = settings
            .throughput_requests
            .div_ceil(self.accounts.len())
            .max(1);
        let mut rounds = Vec::with_capacity(settings.rounds);
        let mut messages = 0usize;
        let mut polls = 0usize;
        for round in 0..settings.rounds {
            let newest = self.deliver(http, url, round).await;
            let mut bodies = Vec::with_capacity(per_account * self.accounts.len());
            for poll in 0..per_account {
                for (i, kp) in self.accounts.iter().enumerate() {
                    let cursor = if poll == 0 {
                        messages += new_messages(i);
                        &self.cursors[i]
                    } else {
                        &newest[i]
                    };
                    bodies.push(retrieve_body(kp, 2, cursor.clone()));
                }
            }
            polls += bodies.len();
            rounds.push(throughput(http, url, bodies).await);
            self.cursors = newest;
        }
        let name = format!(
            "b. signed retrieve, polling with last_hash ({:.2} msgs/answer), 1 node, 64 conns",
            messages as f64 / polls.max(1) as f64
        );
        summary_row(&name, "retrieves", 10_000.0, rounds)
    }
}

/// POSTs every body (untimed helper work); the 200 answers' bodies in request order.
async fn fetch_all(
    http: &reqwest::Client,
    url: &str,
    bodies: Arc<Vec<Vec<u8>>>,
) -> Vec<Option<Vec<u8>>> {
    let http = http.clone();
    let url = url.to_string();
    run_concurrent(bodies.len(), CONNECTIONS, move |i| {
        let http = http.clone();
        let url = url.clone();
        let body = bodies[i].clone();
        async move {
            match post(&http, &url, body).await {
                Ok((200, answer)) => Some(answer),
                _ => None,
            }
        }
    })
    .await
}

//! Helpers for the client and CLI tests (`tests/client_*.rs`, `tests/cli_*.rs`): an in-process
//! devnet on free ports, clients with fast poll and retry timings, and raw storage RPCs for
//! placing hostile data in a swarm.

#![allow(dead_code)] // each test file uses a different subset
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use session_client::protocol::identity::{Keypair, SessionId};
use session_client::protocol::message::wrap_for_recipient;
use session_client::protocol::proto::Content;
use session_client::protocol::rpc::{build, AccountPubkey, Namespace};
use session_client::store::{ConversationId, Message, RetryPolicy};
use session_client::{Account, Client, ClientConfig, DataDir};
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::shutdown::{self, ShutdownTrigger};
use tempfile::TempDir;

/// A running devnet with its directory and stop switch.
pub struct Net {
    /// The devnet.
    pub net: Devnet,
    /// Stops it.
    pub trigger: ShutdownTrigger,
    /// Its state directory.
    pub dir: TempDir,
}

/// Starts a devnet of 10 nodes in swarms of 5 on free loopback ports.
pub async fn start_net() -> Net {
    start_net_with(10, 5).await
}

/// Starts a devnet of `nodes` nodes in swarms of `swarm_size`.
pub async fn start_net_with(nodes: usize, swarm_size: usize) -> Net {
    // Logs go to the test's captured output (shown when it fails); RUST_LOG picks the level.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let cfg = DevnetConfig {
        nodes,
        swarm_size,
        dir: dir.path().to_path_buf(),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    };
    let (trigger, stop) = shutdown::channel();
    let net = devnet::start(&cfg, stop).await.unwrap();
    Net { net, trigger, dir }
}

impl Net {
    /// The seed URL.
    pub fn seed_url(&self) -> String {
        self.net.seed_url()
    }

    /// Stops the devnet and waits for it.
    pub async fn stop(self) {
        self.trigger.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(15), self.net.join()).await;
    }

    /// Stores raw `data` for `recipient` (namespace 0, unsigned) directly on a node of their
    /// swarm, as anyone on the network could. Returns the hash the node gave it.
    pub async fn store_raw(
        &self,
        recipient: &SessionId,
        data: Vec<u8>,
        timestamp_ms: i64,
    ) -> String {
        self.store_raw_in(recipient, Namespace::DEFAULT, None, data, timestamp_ms)
            .await
    }

    /// [`Net::store_raw`] into any namespace, signed by `signer` (the account's own key, for
    /// its private namespaces) or unsigned.
    pub async fn store_raw_in(
        &self,
        recipient: &SessionId,
        namespace: Namespace,
        signer: Option<&session_client::protocol::identity::Keypair>,
        data: Vec<u8>,
        timestamp_ms: i64,
    ) -> String {
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let account = AccountPubkey::from(recipient);
        let (ttl, now) = (14 * 24 * 3600 * 1000, u64::try_from(timestamp_ms).unwrap());
        let request = match signer {
            Some(signer) => build::store_signed(signer, namespace, data, ttl, now),
            None => build::store_unsigned(account, namespace, data, ttl, now),
        }
        .unwrap();
        // Nodes outside the swarm answer 421; a member stores and replicates.
        for node in self.net.nodes() {
            let resp = http
                .post(format!("{}/storage_rpc/v1", node.url()))
                .body(request.to_body())
                .send()
                .await
                .unwrap();
            if resp.status().as_u16() == 200 {
                let body: serde_json::Value = resp.json().await.unwrap();
                return body["hash"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| {
                        body["swarm"]
                            .as_object()?
                            .values()
                            .find_map(|v| v["hash"].as_str().map(str::to_owned))
                    })
                    .unwrap_or_default();
            }
        }
        panic!("no node of the recipient's swarm accepted the store");
    }
}

/// Client settings for tests: fast polls and retries against `seed_url`.
pub fn fast_config(seed_url: &str) -> ClientConfig {
    let mut config = ClientConfig::devnet(seed_url);
    config.poll_active = Duration::from_millis(150);
    config.poll_idle_max = Duration::from_millis(600);
    config.retry = RetryPolicy {
        first_delay_ms: 200,
        max_delay_ms: 2_000,
        max_attempts: 30,
        lease_ms: 30_000,
    };
    config
}

/// A fresh account in a new temporary data directory.
pub fn new_account() -> (TempDir, Account) {
    let dir = tempfile::tempdir().unwrap();
    let account = Account::create(DataDir::new(dir.path().join("data"))).unwrap();
    (dir, account)
}

/// Loads the account of a test data directory again.
pub fn load_account(dir: &Path) -> Account {
    Account::load(DataDir::new(dir.join("data"))).unwrap()
}

/// Starts a client for `account` on `net`.
pub async fn start_client(net: &Net, account: Account) -> Client {
    Client::start(account, fast_config(&net.seed_url()))
        .await
        .unwrap()
}

/// Polls `check` every 50 ms until it returns `Some`, panicking after `timeout`.
pub async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every message of a conversation, oldest first.
pub async fn all_messages(client: &Client, id: ConversationId) -> Vec<Message> {
    let mut messages = Vec::new();
    let mut before = None;
    loop {
        let page = client.messages_page(id, before, 500).await.unwrap();
        messages.extend(page.messages);
        match page.older {
            Some(cursor) => before = Some(cursor),
            None => break,
        }
    }
    messages.reverse();
    messages
}

/// The conversation with `peer` (request or not), once it exists.
pub async fn conversation_with(
    client: &Client,
    peer: SessionId,
    timeout: Duration,
) -> ConversationId {
    wait_until("the conversation to appear", timeout, || async {
        client.conversation_with(peer).await.unwrap().map(|c| c.id)
    })
    .await
}

/// Waits until the conversation with `peer` holds at least `count` incoming messages and
/// returns all its messages.
pub async fn wait_incoming(
    client: &Client,
    peer: SessionId,
    count: usize,
    timeout: Duration,
) -> Vec<Message> {
    let id = conversation_with(client, peer, timeout).await;
    wait_until("the incoming messages", timeout, || async {
        let messages = all_messages(client, id).await;
        let incoming = messages
            .iter()
            .filter(|m| m.direction == session_client::store::Direction::Incoming)
            .count();
        (incoming >= count).then_some(messages)
    })
    .await
}

/// Encrypts `count` texts from `sender` to `recipient` (as a Session client would, on all
/// cores) and stores them directly on one node of the recipient's swarm, 20 per batch request
/// and 8 requests at a time; the node replicates them to the rest of the swarm before it
/// answers.
pub async fn fill_swarm(
    nodes: &[session_node::node::NodeHandle],
    sender: &Keypair,
    recipient: SessionId,
    count: usize,
) {
    let base = session_client::Clock::now_ms(&session_client::SystemClock);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let mut wrapping = Vec::new();
    for t in 0..threads {
        let sender = sender.clone();
        wrapping.push(tokio::task::spawn_blocking(move || {
            (t..count)
                .step_by(threads)
                .map(|i| {
                    let ts = u64::try_from(base).unwrap() + i as u64;
                    let content = Content::text(&format!("backlog message {i:05}"), None);
                    (
                        i,
                        ts,
                        wrap_for_recipient(&sender, &recipient, &content, ts).unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut payloads = Vec::with_capacity(count);
    for part in wrapping {
        payloads.extend(part.await.unwrap());
    }
    payloads.sort_unstable_by_key(|(i, _, _)| *i);

    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let account = AccountPubkey::from(&recipient);
    let mut target = None;
    for node in nodes {
        let body: serde_json::Value = http
            .post(format!("{}/storage_rpc/v1", node.url()))
            .body(build::get_swarm(account).to_body())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let own = hex::encode(node.ed25519_public());
        let member = body["snodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["pubkey_ed25519"] == own.as_str());
        if member {
            target = Some(format!("{}/storage_rpc/v1", node.url()));
            break;
        }
    }
    let url = target.unwrap();
    let mut bodies = payloads.chunks(20).map(|chunk| {
        let stores = chunk
            .iter()
            .map(|(_, ts, data)| {
                build::store_unsigned(
                    account,
                    Namespace::DEFAULT,
                    data.clone(),
                    14 * 86_400_000,
                    *ts,
                )
                .unwrap()
            })
            .collect();
        build::batch(stores).unwrap().to_body()
    });
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < 8 {
            let Some(body) = bodies.next() else { break };
            let (http, url) = (http.clone(), url.clone());
            running.spawn(async move {
                let resp = http.post(url).body(body).send().await.unwrap();
                assert_eq!(resp.status(), 200);
            });
        }
        match running.join_next().await {
            Some(done) => done.unwrap(),
            None => break,
        }
    }
}

/// `session-cli` (the built binary) on the devnet at `seed` with the data directory `dir`,
/// quiet (no `RUST_LOG`), its output piped.
pub fn cli_command(seed: &str, dir: &str, args: &[&str]) -> std::process::Command {
    use std::process::Stdio;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_session-cli"));
    command
        .args(["--seed", seed, "--data-dir", dir])
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for an update matching `wanted` on `updates` (updates follow the stored state: they
/// are sent once a transaction committed, so one may still be on its way when the database
/// already shows the change). Panics after `timeout`.
pub async fn wait_update(
    updates: &mut tokio::sync::broadcast::Receiver<session_client::Update>,
    what: &str,
    timeout: Duration,
    wanted: impl Fn(&session_client::Update) -> bool,
) {
    use tokio::sync::broadcast::error::RecvError;
    let found = tokio::time::timeout(timeout, async {
        loop {
            match updates.recv().await {
                Ok(update) if wanted(&update) => return true,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return false,
            }
        }
    })
    .await;
    assert!(found == Ok(true), "no update: {what}");
}

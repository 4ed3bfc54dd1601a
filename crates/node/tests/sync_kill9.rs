//! `kill -9` a node during a stream of stores: no acknowledged message is lost, and the node
//! catches up after a restart.
//!
//! Real processes (the `session-node` binary: one seed, five nodes in one swarm), real HTTPS,
//! real SQLite. Signed stores stream to one member while another is killed with SIGKILL; every
//! store answered 200 is recorded. The killed node restarts with the same config and data
//! directory; then every member must return every acknowledged message through
//! `/storage_rpc/v1` `retrieve`. Every wait is bounded and every child process is killed when
//! the test ends, however it ends.

#![allow(clippy::unwrap_used)] // tests may unwrap (helpers outside #[test] fns too)

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use session_protocol::identity::Keypair;
use session_protocol::rpc::{build, message_hash_for, Namespace, RequestSigner};
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_session-node");
const NODES: usize = 5;
/// The member stores are sent to.
const ENTRY: usize = 0;
/// The member that is killed.
const VICTIM: usize = 2;
const STREAM_FOR: Duration = Duration::from_millis(4_000);
const KILL_AFTER: Duration = Duration::from_millis(1_200);
const WORKERS: usize = 8;

/// A child process killed (SIGKILL) and reaped when dropped.
struct Proc {
    child: Child,
}

impl Proc {
    fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn log_file(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

/// Starts the seed; returns it with its URL (the line it prints on stdout).
fn start_seed(dir: &Path) -> (Proc, String) {
    let mut child = Command::new(BIN)
        .args(["seed", "--listen", "127.0.0.1:0", "--no-https"])
        .args(["--swarm-size", "5", "--dir"])
        .arg(dir.join("seed"))
        .stdout(Stdio::piped())
        .stderr(log_file(&dir.join("seed.log")))
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let proc = Proc { child };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let url = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("the seed prints its URL within 15 s");
    let url = url.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "seed printed {url:?}");
    (proc, url)
}

/// Free loopback ports (held open together so they differ, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

fn write_config(dir: &Path, index: usize, port: u16, seed_url: &str) -> PathBuf {
    let data = dir.join(format!("node-{index}"));
    fs::create_dir_all(&data).unwrap();
    let path = dir.join(format!("node-{index}.toml"));
    let text = format!(
        "data_dir = {data:?}\nlisten = \"127.0.0.1:{port}\"\nseed_url = {seed_url:?}\n\
         rate_limit = false\nrefresh_interval_secs = 1\nsync_interval_secs = 2\n"
    );
    fs::write(&path, text).unwrap();
    path
}

fn start_node(dir: &Path, index: usize, config: &Path) -> Proc {
    let child = Command::new(BIN)
        .args(["run", "--config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(log_file(&dir.join(format!("node-{index}.log"))))
        .spawn()
        .unwrap();
    Proc { child }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn rpc_url(port: u16) -> String {
    format!("https://127.0.0.1:{port}/storage_rpc/v1")
}

/// Waits until the node on `port` has joined (answers `info` with 200).
async fn wait_ready(http: &reqwest::Client, port: u16, deadline: Instant) {
    loop {
        let resp = http
            .post(rpc_url(port))
            .json(&json!({"method": "info", "params": {}}))
            .send()
            .await;
        if resp.is_ok_and(|r| r.status() == 200) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the node on port {port} did not become ready in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Streams signed stores to `port` until `stop`; returns the hashes answered 200 (with when
/// the answer came) and the count of other answers.
async fn stream_stores(
    http: reqwest::Client,
    port: u16,
    account: Arc<Keypair>,
    worker: usize,
    stop: Arc<AtomicBool>,
) -> (Vec<(Instant, String)>, BTreeMap<String, usize>) {
    let mut acked = Vec::new();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    let me = account.account();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let data = format!("worker {worker} message {i} {}", "x".repeat(100)).into_bytes();
        let hash = message_hash_for(&me, Namespace(0), &data);
        let now = u64::try_from(session_node::time::now_ms()).unwrap();
        let req = build::store_signed(&*account, Namespace(0), data, 3_600_000, now).unwrap();
        match http.post(rpc_url(port)).body(req.to_body()).send().await {
            Ok(resp) if resp.status() == 200 => {
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                if let Some(h) = body.get("hash").and_then(Value::as_str) {
                    assert_eq!(h, hash, "the node's hash differs from the protocol's");
                }
                acked.push((Instant::now(), hash));
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                *other
                    .entry(format!(
                        "{status} {}",
                        text.chars().take(80).collect::<String>()
                    ))
                    .or_default() += 1;
            }
            Err(e) => *other.entry(format!("error {e}")).or_default() += 1,
        }
    }
    (acked, other)
}

/// Every namespace-0 message hash `account` has on the node at `port` (paged retrieve), or
/// `None` if the node does not answer properly.
async fn retrieve_all(
    http: &reqwest::Client,
    port: u16,
    account: &Keypair,
) -> Option<BTreeSet<String>> {
    let mut hashes = BTreeSet::new();
    let mut last: Option<String> = None;
    for _ in 0..1000 {
        let now = u64::try_from(session_node::time::now_ms()).unwrap();
        let req = build::retrieve(account, Namespace(0), last.clone(), None, now);
        let resp = http
            .post(rpc_url(port))
            .body(req.to_body())
            .send()
            .await
            .ok()?;
        if resp.status() != 200 {
            return None;
        }
        let body: Value = resp.json().await.ok()?;
        let msgs = body.get("messages")?.as_array()?;
        for m in msgs {
            hashes.insert(m.get("hash")?.as_str()?.to_string());
        }
        let more = body.get("more").and_then(Value::as_bool).unwrap_or(false);
        match msgs.last() {
            Some(m) if more => last = Some(m.get("hash")?.as_str()?.to_string()),
            _ => return Some(hashes),
        }
    }
    None
}

fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_stores_loses_no_acknowledged_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let http = client();
    let (_seed, seed_url) = start_seed(dir);
    let ports = free_ports(NODES);
    let configs: Vec<PathBuf> = (0..NODES)
        .map(|i| write_config(dir, i, ports[i], &seed_url))
        .collect();
    let mut nodes: Vec<Proc> = (0..NODES)
        .map(|i| start_node(dir, i, &configs[i]))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    for &port in &ports {
        wait_ready(&http, port, deadline).await;
    }
    // Every node refreshes its view every second; give them time to see the whole swarm.
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    // Stream stores to the entry node from several accounts at once.
    let stop = Arc::new(AtomicBool::new(false));
    let accounts: Vec<Arc<Keypair>> = (0..WORKERS)
        .map(|_| Arc::new(Keypair::generate().1))
        .collect();
    let workers: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(w, kp)| {
            tokio::spawn(stream_stores(
                http.clone(),
                ports[ENTRY],
                kp.clone(),
                w,
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(KILL_AFTER).await;
    nodes[VICTIM].kill9();
    let killed_at = Instant::now();
    tokio::time::sleep(STREAM_FOR - KILL_AFTER).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked: Vec<Vec<String>> = Vec::new();
    let mut acked_while_down = 0;
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    for w in workers {
        let (a, other) = tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .expect("store workers stop within 10 s")
            .unwrap();
        acked_while_down += a.iter().filter(|(at, _)| *at > killed_at).count();
        acked.push(a.into_iter().map(|(_, h)| h).collect());
        for (k, v) in other {
            *refused.entry(k).or_default() += v;
        }
    }
    let total: usize = acked.iter().map(Vec::len).sum();
    assert!(
        total >= 20,
        "only {total} stores were acknowledged; other answers: {refused:?}\nentry node log:\n{}",
        tail(&dir.join(format!("node-{ENTRY}.log")))
    );

    // Stores acknowledged while the victim was down must reach it by catch-up.
    assert!(
        acked_while_down > 0,
        "no store was acknowledged while the node was down"
    );

    // Restart the killed node with the same config and data directory.
    nodes[VICTIM] = start_node(dir, VICTIM, &configs[VICTIM]);
    wait_ready(
        &http,
        ports[VICTIM],
        Instant::now() + Duration::from_secs(15),
    )
    .await;

    // Every member ends up with every acknowledged message.
    let deadline = Instant::now() + Duration::from_secs(20);
    for (i, &port) in ports.iter().enumerate() {
        for (account, want) in accounts.iter().zip(&acked) {
            loop {
                let got = retrieve_all(&http, port, account).await;
                let missing = match &got {
                    Some(have) => want.iter().filter(|h| !have.contains(*h)).count(),
                    None => want.len(),
                };
                if missing == 0 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "node {i} lacks {missing} of {} acknowledged messages ({} stores acked in \
                     all; other answers: {refused:?}; retrieve answered: {})\nits log:\n{}",
                    want.len(),
                    total,
                    got.is_some(),
                    tail(&dir.join(format!("node-{i}.log")))
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    eprintln!(
        "{total} acknowledged stores ({acked_while_down} while a member was down), all on every \
         member; other answers: {refused:?}"
    );
}

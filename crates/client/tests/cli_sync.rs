//! `session-cli` config sync run as the built binary on a real devnet: `account name`, `send`,
//! `account restore` (what came back), `contacts` and `sync --wait` between a device and a
//! restore of its phrase in another data directory.

#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::cli_command;

use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Only catches hangs: every step waits for a condition, never for a fixed time.
const HANG: Duration = Duration::from_secs(120);

/// Runs the CLI to the end, with `stdin` as its standard input.
async fn cli(seed: &str, dir: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = cli_command(seed, dir, args);
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().unwrap();
        let mut pipe = child.stdin.take();
        if let (Some(pipe), Some(text)) = (pipe.as_mut(), input) {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The value after `label: ` in `stdout`.
fn field(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} in {stdout:?}"))
        .to_owned()
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

/// `account new`: the Session ID and recovery phrase.
async fn new_account(seed: &str, dir: &str) -> (String, String) {
    let out = ok(&cli(seed, dir, &["account", "new"], None).await);
    (field(&out, "Session ID"), field(&out, "Recovery phrase"))
}

/// Runs `sync --wait SECONDS` and returns the JSON lines it printed up to and including the
/// first that `wanted` accepts; then stops it (it would go on waiting).
async fn sync_until(
    seed: &str,
    dir: &str,
    wait_seconds: u64,
    wanted: impl Fn(&Value) -> bool + Send + 'static,
) -> Vec<Value> {
    let seconds = wait_seconds.to_string();
    let mut child = cli_command(seed, dir, &["sync", "--wait", &seconds])
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let printed = tokio::task::spawn_blocking(move || {
        let mut printed = Vec::new();
        loop {
            match lines_rx.recv_timeout(HANG) {
                Ok(line) => {
                    let value: Value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
                    let done = wanted(&value);
                    printed.push(value);
                    if done {
                        return Ok(printed);
                    }
                }
                // The process ended (or hung) without printing it.
                Err(_) => return Err(printed),
            }
        }
    })
    .await
    .unwrap();
    // Stopping it early is fine: `sync` saves as it goes.
    let _ = child.kill();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    reader.join().unwrap();
    match printed {
        Ok(printed) => printed,
        Err(printed) => panic!(
            "`sync --wait {wait_seconds}` never printed the awaited line; printed {printed:?}; \
             exit {:?}; stderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn name_and_contacts_reach_a_restored_device() {
    let net = client_support::start_net().await;
    let seed = net.seed_url();
    let tmp = tempfile::tempdir().unwrap();
    let path = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let (a, b, restored) = (path("a"), path("b"), path("restored"));
    let (a_id, phrase) = new_account(&seed, &a).await;
    let (b_id, _) = new_account(&seed, &b).await;

    // Device A: a name (sent to the swarm before the command ends: nothing about a later
    // sync on stdout) and a message to B, which makes B an approved contact.
    let named = ok(&cli(&seed, &a, &["account", "name", "Alice"], None).await);
    assert_eq!(named, "", "the name was not sent at once");
    ok(&cli(&seed, &a, &["send", &b_id, "hello from A"], None).await);
    let on_a = json_lines(&ok(&cli(&seed, &a, &["contacts"], None).await));
    assert_eq!(on_a.len(), 1, "{on_a:?}");
    assert_eq!(on_a[0]["session_id"], b_id.as_str());
    assert_eq!(on_a[0]["approved"], true);

    // The phrase restored into a new directory: the name and the one contact come back.
    let out = ok(&cli(
        &seed,
        &restored,
        &["account", "restore"],
        Some(&format!("{phrase}\n")),
    )
    .await);
    assert_eq!(field(&out, "Session ID"), a_id, "{out}");
    assert_eq!(field(&out, "Display name"), "Alice", "{out}");
    assert_eq!(field(&out, "Contacts restored"), "1", "{out}");

    let listed = json_lines(&ok(&cli(&seed, &restored, &["contacts"], None).await));
    assert_eq!(listed.len(), 1, "{listed:?}");
    let contact = &listed[0];
    assert_eq!(contact["session_id"], b_id.as_str());
    assert_eq!(contact["approved"], true);
    assert_eq!(contact["approved_me"], false);
    assert_eq!(contact["blocked"], false);
    assert_eq!(contact["nickname"], Value::Null);
    for key in [
        "session_id",
        "name",
        "nickname",
        "approved",
        "approved_me",
        "blocked",
    ] {
        assert!(contact.get(key).is_some(), "no {key} in {contact}");
    }

    // A renames itself; the restored device, syncing, prints the new name.
    let renamed = ok(&cli(&seed, &a, &["account", "name", "Alice2"], None).await);
    assert_eq!(renamed, "", "the new name was not sent at once");
    let printed = sync_until(&seed, &restored, 30, |line| {
        line.get("display_name").is_some()
    })
    .await;
    let last = printed.last().unwrap();
    assert_eq!(last, &serde_json::json!({ "display_name": "Alice2" }));
    // Nothing about the contact changed.
    assert!(
        printed.iter().all(|l| l.get("contact").is_none()),
        "{printed:?}"
    );
    let shown = ok(&cli(&seed, &restored, &["account", "show"], None).await);
    assert_eq!(field(&shown, "Display name"), "Alice2");

    // And a change on the restored device goes back to A.
    ok(&cli(&seed, &restored, &["account", "name", "Alice3"], None).await);
    let printed = sync_until(&seed, &a, 30, |line| line.get("display_name").is_some()).await;
    assert_eq!(
        printed.last().unwrap(),
        &serde_json::json!({ "display_name": "Alice3" })
    );

    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sync_prints_contacts_that_arrive_and_a_quiet_sync_prints_nothing() {
    let net = client_support::start_net().await;
    let seed = net.seed_url();
    let tmp = tempfile::tempdir().unwrap();
    let path = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let (a, b, restored) = (path("a"), path("b"), path("restored"));
    let (_, phrase) = new_account(&seed, &a).await;
    let (b_id, _) = new_account(&seed, &b).await;

    // Restored before A has any contact: nothing comes back.
    let out = ok(&cli(
        &seed,
        &restored,
        &["account", "restore"],
        Some(&format!("{phrase}\n")),
    )
    .await);
    assert_eq!(field(&out, "Contacts restored"), "0", "{out}");
    assert!(!out.contains("Display name:"), "{out}");

    // A writes to B; the restored device's sync prints B as a contact line.
    ok(&cli(&seed, &a, &["send", &b_id, "hi"], None).await);
    let printed = sync_until(&seed, &restored, 30, |line| line.get("contact").is_some()).await;
    let contact = &printed.last().unwrap()["contact"];
    assert_eq!(contact["session_id"], b_id.as_str());
    assert_eq!(contact["approved"], true);

    // Synced already: a plain `sync` prints nothing.
    let quiet = ok(&cli(&seed, &restored, &["sync"], None).await);
    assert_eq!(quiet, "");

    net.stop().await;
}

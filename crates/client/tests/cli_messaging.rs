//! `session-cli send`, `receive`, `history`, `conversations` and `flush` between two data
//! directories on a real devnet, including sends killed at random moments.

#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::cli_command;

use std::collections::HashSet;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

async fn cli(seed: &str, dir: &str, args: &[&str]) -> Output {
    let mut command = cli_command(seed, dir, args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn new_account(seed: &str, dir: &str) -> String {
    let out = cli(seed, dir, &["account", "new"]).await;
    ok(&out);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Session ID: ").map(str::to_owned))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn send_and_receive_between_two_data_dirs() {
    let net = client_support::start_net().await;
    let seed = net.seed_url();
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a").to_str().unwrap().to_owned();
    let b = tmp.path().join("b").to_str().unwrap().to_owned();
    let a_id = new_account(&seed, &a).await;
    let b_id = new_account(&seed, &b).await;

    ok(&cli(&seed, &a, &["send", &b_id, "hello from the command line"]).await);
    ok(&cli(
        &seed,
        &a,
        &["send", &b_id, "second \"quoted\" line\nwith a newline"],
    )
    .await);

    let received = cli(&seed, &b, &["receive", "--wait", "3"]).await;
    ok(&received);
    let got = lines(&received);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["sender"], a_id.as_str());
    assert_eq!(got[0]["body"], "hello from the command line");
    assert_eq!(got[1]["body"], "second \"quoted\" line\nwith a newline");
    assert!(got[0]["sent_at"].as_i64().unwrap() < got[1]["sent_at"].as_i64().unwrap());

    // Printed once: a second receive prints nothing new.
    let again = cli(&seed, &b, &["receive"]).await;
    ok(&again);
    assert!(lines(&again).is_empty());

    let history = cli(&seed, &b, &["history", &a_id]).await;
    ok(&history);
    let history = lines(&history);
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["direction"], "in");
    let sent = cli(&seed, &a, &["history", &b_id]).await;
    let sent = lines(&sent);
    assert!(sent
        .iter()
        .all(|m| m["direction"] == "out" && m["status"] == "sent"));

    let listed = cli(&seed, &b, &["conversations"]).await;
    ok(&listed);
    let listed = lines(&listed);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["peer"], a_id.as_str());
    assert_eq!(listed[0]["request"], true);

    // A network that cannot be reached: a clear error and a non-zero exit.
    // (A fresh account: an existing one has the node list cached and needs no seed.)
    let c = tmp.path().join("c").to_str().unwrap().to_owned();
    new_account("http://127.0.0.1:9", &c).await;
    let dead = cli(
        "http://127.0.0.1:9",
        &c,
        &["send", &b_id, "x", "--timeout", "3"],
    )
    .await;
    assert!(!dead.status.success());
    assert!(!dead.stderr.is_empty());

    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sends_killed_at_any_moment_finish_after_restart_without_duplicates() {
    let net = client_support::start_net().await;
    let seed = net.seed_url();
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a").to_str().unwrap().to_owned();
    let b = tmp.path().join("b").to_str().unwrap().to_owned();
    new_account(&seed, &a).await;
    let b_id = new_account(&seed, &b).await;

    for (i, delay_ms) in [2u64, 10, 20, 35, 60, 100, 160, 250, 400]
        .into_iter()
        .enumerate()
    {
        let mut child = cli_command(&seed, &a, &["send", &b_id, &format!("message {i}")])
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        // SIGKILL: no cleanup at all (it may also have finished already).
        let _ = child.kill();
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
    }
    ok(&cli(&seed, &a, &["flush", "--timeout", "30"]).await);

    let sent = cli(&seed, &a, &["history", &b_id]).await;
    let queued: Vec<String> = match sent.status.success() {
        true => lines(&sent)
            .iter()
            .map(|m| {
                assert_eq!(m["status"], "sent", "{m}");
                m["body"].as_str().unwrap().to_owned()
            })
            .collect(),
        false => Vec::new(), // every send was killed before it queued anything
    };

    let received = cli(&seed, &b, &["receive", "--wait", "3"]).await;
    ok(&received);
    let got: Vec<String> = lines(&received)
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "duplicates received: {got:?}");
    // Arrival order may differ from queue order (a resumed send arrives later).
    let (mut got, mut queued) = (got, queued);
    got.sort();
    queued.sort();
    assert_eq!(got, queued, "received differs from what was queued");
    eprintln!("{} of 9 sends had queued before being killed", queued.len());

    net.stop().await;
}

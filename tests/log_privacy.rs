//! Logs at info level and above carry no Session ID, key, IP address or message text.
//!
//! A real devnet (the app binary's `--run-devnet`, its own process) and every client step in a
//! process of its own (this test binary run again with a role), each logging as the app does
//! (`session::cli::init_logging`) with `RUST_LOG=info` to standard error: account creation,
//! restore from the phrase, sending, receiving, a reply. Every line of every process is then
//! checked. Only the devnet's own start-up lines may name an address (the seed URL a developer
//! needs to point clients at).
//!
//! `harness = false`: `main` either runs the test or, when called with a role, one step.

#![allow(clippy::print_stdout)] // it prints libtest's result lines itself

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use session_client::client::{Client, ClientConfig};
use session_client::protocol::identity::SessionId;
use session_client::store::{MessageId, MessageStatus};
use session_client::{Account, DataDir};

/// Generous bounds that only catch a hang.
const STEP_TIMEOUT: Duration = Duration::from_secs(180);
const DEVNET_TIMEOUT: Duration = Duration::from_secs(180);

/// Text the two accounts exchange; it must never reach a log.
const FIRST_TEXT: &str = "the parcel is under the blue bench";
const REPLY_TEXT: &str = "understood, pick-up at noon";

/// Messages the devnet prints once at start, which may carry the seed's address.
const DEVNET_STARTUP_MESSAGES: [&str; 1] = ["devnet is up"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--role") {
        session::cli::init_logging();
        if let Err(error) = run_role(&args[1..]) {
            eprintln!("role failed: {error:#}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo test` passes libtest flags; a filter that does not name this test skips it.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let name = "logs_at_info_carry_no_ids_keys_addresses_or_message_text";
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        println!("\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out\n");
        return;
    }
    println!("\nrunning 2 tests");
    scanner_flags_what_it_must();
    println!("test scanner_flags_what_it_must ... ok");
    logs_at_info_carry_no_ids_keys_addresses_or_message_text();
    println!("test {name} ... ok");
    println!("\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
}

/// One client step, in a process of its own.
fn run_role(args: &[String]) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let arg = |i: usize| -> anyhow::Result<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| anyhow::anyhow!("missing argument {i}"))
    };
    let dir = DataDir::new(Path::new(arg(1)?));
    match arg(0)? {
        "create" => {
            let account = Account::create(dir)?;
            // Results go to files in the test's folder, never to the log.
            let out = Path::new(arg(2)?);
            std::fs::write(out.join("id"), account.session_id().to_hex())?;
            std::fs::write(out.join("phrase"), account.recovery_phrase().as_bytes())?;
            Ok(())
        }
        "restore" => {
            let phrase = std::fs::read_to_string(arg(2)?)?;
            Account::restore(dir, &phrase)?;
            Ok(())
        }
        "send" => {
            let peer: SessionId = std::fs::read_to_string(arg(3)?)?.trim().parse()?;
            let text = arg(4)?.to_owned();
            runtime.block_on(async {
                let client = start(dir, arg(2)?).await?;
                let message = client.send_text(peer, text).await?;
                let status = client.wait_sent(message.id, STEP_TIMEOUT).await?;
                client.shutdown().await;
                anyhow::ensure!(status == MessageStatus::Sent, "not sent: {status:?}");
                Ok(())
            })
        }
        "receive" => {
            let text = arg(3)?;
            runtime.block_on(async {
                let client = start(dir, arg(2)?).await?;
                let deadline = Instant::now() + STEP_TIMEOUT;
                let found = loop {
                    // A failed poll is tried again until the deadline (the devnet is young).
                    let _ = client.poll_now().await;
                    let messages = client.incoming_after(MessageId(0), 1_000).await?;
                    if messages.iter().any(|m| m.body == text) {
                        break true;
                    }
                    if Instant::now() >= deadline {
                        break false;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                };
                client.shutdown().await;
                anyhow::ensure!(found, "the message never arrived");
                Ok(())
            })
        }
        other => anyhow::bail!("unknown role {other}"),
    }
}

async fn start(dir: DataDir, seed: &str) -> anyhow::Result<Client> {
    let account = Account::load(dir)?;
    let mut config = ClientConfig::devnet(seed);
    config.poll_active = Duration::from_millis(200);
    Ok(Client::start(account, config).await?)
}

/// The captured standard error of one process.
struct Captured {
    name: String,
    text: String,
}

fn logs_at_info_carry_no_ids_keys_addresses_or_message_text() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let root = work.path();
    let (mut devnet, seed, devnet_log) = start_devnet(root);
    let result = std::panic::catch_unwind(|| {
        let mut logs = Vec::new();
        let dirs = ["alice", "bob", "bob-restored"].map(|n| root.join(n));
        let out = ["alice-out", "bob-out"].map(|n| root.join(n));
        for o in &out {
            std::fs::create_dir_all(o).expect("a folder");
        }
        let p = |p: &Path| p.display().to_string();
        let steps: Vec<(&str, Vec<String>)> = vec![
            (
                "create alice",
                vec!["create".into(), p(&dirs[0]), p(&out[0])],
            ),
            ("create bob", vec!["create".into(), p(&dirs[1]), p(&out[1])]),
            (
                "restore bob",
                vec!["restore".into(), p(&dirs[2]), p(&out[1].join("phrase"))],
            ),
            (
                "alice sends",
                vec![
                    "send".into(),
                    p(&dirs[0]),
                    seed.clone(),
                    p(&out[1].join("id")),
                    FIRST_TEXT.into(),
                ],
            ),
            (
                "restored bob receives",
                vec![
                    "receive".into(),
                    p(&dirs[2]),
                    seed.clone(),
                    FIRST_TEXT.into(),
                ],
            ),
            (
                "restored bob replies",
                vec![
                    "send".into(),
                    p(&dirs[2]),
                    seed.clone(),
                    p(&out[0].join("id")),
                    REPLY_TEXT.into(),
                ],
            ),
            (
                "alice receives",
                vec![
                    "receive".into(),
                    p(&dirs[0]),
                    seed.clone(),
                    REPLY_TEXT.into(),
                ],
            ),
        ];
        for (name, args) in steps {
            logs.push(run_step(name, &args));
        }
        logs
    });
    stop(&mut devnet);
    let mut logs = match result {
        Ok(logs) => logs,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    logs.push(Captured {
        name: "devnet".into(),
        text: std::fs::read_to_string(&devnet_log).unwrap_or_default(),
    });

    let read = |path: PathBuf| std::fs::read_to_string(path).expect("a step's output");
    let secrets = Secrets {
        texts: vec![FIRST_TEXT.into(), REPLY_TEXT.into()],
        phrases: vec![
            read(root.join("alice-out/phrase")),
            read(root.join("bob-out/phrase")),
        ],
        paths: ["alice", "bob", "bob-restored"]
            .map(|n| root.join(n).display().to_string())
            .to_vec(),
    };
    let mut problems = Vec::new();
    let mut lines = 0;
    for log in &logs {
        for line in log.text.lines() {
            lines += 1;
            let startup =
                log.name == "devnet" && DEVNET_STARTUP_MESSAGES.iter().any(|m| line.contains(m));
            if let Some(why) = secrets.leak(line, startup) {
                problems.push(format!("{} logged {why}: {line}", log.name));
            }
        }
    }
    // Not a vacuous pass: the processes did log at info (paths, polling, the devnet).
    assert!(
        logs.iter().any(|l| l.text.contains(" INFO ")) && lines >= 10,
        "too little was logged to check ({lines} lines)"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs one step in a process of its own and returns what it logged.
fn run_step(name: &str, args: &[String]) -> Captured {
    let exe = std::env::current_exe().expect("this test's path");
    let output = Command::new(exe)
        .arg("--role")
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the step starts");
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "step {name} failed:\n{text}");
    Captured {
        name: name.to_owned(),
        text,
    }
}

/// Starts `session --run-devnet` on free ports; returns it, its seed URL and its log file.
fn start_devnet(root: &Path) -> (Child, String, PathBuf) {
    let log_path = root.join("devnet.log");
    let log = std::fs::File::create(&log_path).expect("the devnet log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_session"))
        .arg("--run-devnet")
        .arg(root.join("devnet"))
        .args(["--devnet-port", "0"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the devnet starts");
    let deadline = Instant::now() + DEVNET_TIMEOUT;
    loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(seed) = text
            .lines()
            .filter(|l| l.contains("devnet is up"))
            .find_map(|l| l.split("seed=").nth(1))
            .and_then(|s| s.split_whitespace().next())
        {
            return (child, seed.to_owned(), log_path);
        }
        if Instant::now() >= deadline || child.try_wait().ok().flatten().is_some() {
            stop(&mut child);
            panic!("the devnet did not start:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// What must not appear in a log line.
struct Secrets {
    texts: Vec<String>,
    phrases: Vec<String>,
    paths: Vec<String>,
}

impl Secrets {
    /// Why `line` leaks something, if it does. `startup`: a devnet start-up line, which may
    /// name an address.
    fn leak(&self, line: &str, startup: bool) -> Option<String> {
        if let Some(hex) = hex_run(line, 64) {
            return Some(format!("64 hex characters ({}…)", &hex[..8]));
        }
        if !startup {
            if let Some(ip) = ip_address(line) {
                return Some(format!("an IP address ({ip})"));
            }
        }
        if self.texts.iter().any(|t| line.contains(t.as_str())) {
            return Some("a message's text".into());
        }
        for phrase in &self.phrases {
            let words: Vec<&str> = phrase.split_whitespace().collect();
            if words.windows(3).any(|w| line.contains(&w.join(" "))) {
                return Some("words of a recovery phrase".into());
            }
        }
        if self.paths.iter().any(|p| line.contains(p.as_str())) {
            return Some("an account's folder".into());
        }
        None
    }
}

/// The first run of at least `n` hex digits in `line`.
fn hex_run(line: &str, n: usize) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        if !b.is_ascii_hexdigit() {
            if i - start >= n {
                return line.get(start..i);
            }
            start = i + 1;
        }
    }
    None
}

/// The first IPv4 address (four dot-separated numbers up to 255) or bracketed/loopback IPv6
/// address in `line`.
fn ip_address(line: &str) -> Option<String> {
    if let Some(i) = line.find("[::").or_else(|| line.find("::1")) {
        return Some(line[i..].chars().take(16).collect());
    }
    let is_part = |c: char| c.is_ascii_digit() || c == '.';
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let candidate: String = rest[start..].chars().take_while(|&c| is_part(c)).collect();
        let preceded_by_part = rest[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let parts: Vec<&str> = candidate.trim_end_matches('.').split('.').collect();
        if !preceded_by_part
            && parts.len() == 4
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|v| v <= 255))
        {
            return Some(candidate);
        }
        rest = &rest[start + candidate.len().max(1)..];
    }
    None
}

/// The scanner finds each kind of leak (so a clean result above means something).
fn scanner_flags_what_it_must() {
    let secrets = Secrets {
        texts: vec!["hello there".into()],
        phrases: vec!["abbey ability able about above absent".into()],
        paths: vec!["/tmp/x/alice".into()],
    };
    let id = format!("05{}", "ab".repeat(32));
    let flagged = [
        format!("INFO account saved session_id={id}"),
        format!("WARN key {}", "0f".repeat(32)),
        "INFO request to 10.1.2.3:22021 failed".into(),
        "INFO https://127.0.0.1:22000/json_rpc".into(),
        "INFO connecting to [::1]:443".into(),
        "INFO body=\"hello there\"".into(),
        "INFO phrase ability able about".into(),
        "INFO opened /tmp/x/alice/db".into(),
    ];
    for line in &flagged {
        assert!(secrets.leak(line, false).is_some(), "not flagged: {line}");
    }
    let clean = [
        "2026-12-08T02:00:00.123456Z  INFO session_client::net::paths: onion paths ready paths=2",
        "INFO node joined the network swarm=1a2b3c port=22021",
        "INFO version 1.95.0 build 12.3.4",
        "INFO hash abcdef0123 (short)",
    ];
    for line in clean {
        assert_eq!(secrets.leak(line, false), None, "flagged: {line}");
    }
    assert!(secrets
        .leak("INFO devnet is up seed=https://127.0.0.1:22000", true)
        .is_none());
}

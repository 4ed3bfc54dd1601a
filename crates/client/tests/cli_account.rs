//! `session-cli` account commands and argument errors, run as the built binary.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-cli"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The value after `label: ` in the output.
fn field(output: &Output, label: &str) -> String {
    stdout(output)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} in {:?}", stdout(output)))
        .to_owned()
}

fn dir_arg(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

#[test]
fn account_new_show_and_restore_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let first = dir_arg(&tmp.path().join("first"));
    let second = dir_arg(&tmp.path().join("second"));

    let created = cli(&["--data-dir", &first, "account", "new"], None);
    assert!(created.status.success(), "{}", stderr(&created));
    let id = field(&created, "Session ID");
    assert_eq!(id.len(), 66);
    assert!(id.starts_with("05"));
    let phrase = field(&created, "Recovery phrase");
    assert_eq!(phrase.split_whitespace().count(), 13);
    // Quiet by default: nothing on stderr.
    assert_eq!(stderr(&created), "");

    // The global option also works after the subcommand.
    let shown = cli(&["account", "show", "--data-dir", &first], None);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert_eq!(field(&shown, "Session ID"), id);

    let restored = cli(
        &["--data-dir", &second, "account", "restore"],
        Some(&format!("{phrase}\n")),
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(field(&restored, "Session ID"), id);
    let shown = cli(&["--data-dir", &second, "account", "show"], None);
    assert_eq!(field(&shown, "Session ID"), id);
    assert!(!String::from_utf8_lossy(&shown.stdout).contains("Recovery phrase"));

    // The phrase only on request; the display name once set.
    let named = cli(
        &["--data-dir", &second, "account", "name", "  Alice  "],
        None,
    );
    assert!(named.status.success(), "{}", stderr(&named));
    let shown = cli(
        &["--data-dir", &second, "account", "show", "--phrase"],
        None,
    );
    assert_eq!(field(&shown, "Recovery phrase"), phrase);
    assert_eq!(field(&shown, "Display name"), "Alice");
    let too_long = "x".repeat(200);
    let refused = cli(&["--data-dir", &second, "account", "name", &too_long], None);
    assert!(!refused.status.success());
    assert!(!stderr(&refused).is_empty());
}

#[test]
fn account_errors_exit_non_zero_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = dir_arg(&tmp.path().join("acct"));

    let missing = cli(&["--data-dir", &dir, "account", "show"], None);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("holds no account"),
        "{}",
        stderr(&missing)
    );

    assert!(cli(&["--data-dir", &dir, "account", "new"], None)
        .status
        .success());
    let again = cli(&["--data-dir", &dir, "account", "new"], None);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds an account"),
        "{}",
        stderr(&again)
    );

    let other = dir_arg(&tmp.path().join("other"));
    let bad_phrase = cli(
        &["--data-dir", &other, "account", "restore"],
        Some("these are not thirteen valid words at all\n"),
    );
    assert!(!bad_phrase.status.success());
    assert!(
        stderr(&bad_phrase).contains("recovery phrase"),
        "{}",
        stderr(&bad_phrase)
    );
    let empty = cli(&["--data-dir", &other, "account", "restore"], Some(""));
    assert!(!empty.status.success());
    assert!(
        stderr(&empty).contains("no recovery phrase"),
        "{}",
        stderr(&empty)
    );
}

#[test]
fn bad_arguments_exit_non_zero_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = dir_arg(&tmp.path().join("acct"));
    assert!(cli(&["--data-dir", &dir, "account", "new"], None)
        .status
        .success());

    let bad_id = cli(&["--data-dir", &dir, "send", "05abc", "hello"], None);
    assert!(!bad_id.status.success());
    assert!(
        stderr(&bad_id).contains("not a valid Session ID"),
        "{}",
        stderr(&bad_id)
    );
    assert!(
        stderr(&bad_id).contains("66 characters"),
        "{}",
        stderr(&bad_id)
    );

    let bad_history = cli(&["--data-dir", &dir, "history", "hello"], None);
    assert!(!bad_history.status.success());
    assert!(stderr(&bad_history).contains("not a valid Session ID"));

    let unknown = cli(&["--data-dir", &dir, "frobnicate"], None);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("frobnicate"),
        "{}",
        stderr(&unknown)
    );

    let missing_arg = cli(&["--data-dir", &dir, "send"], None);
    assert!(!missing_arg.status.success());
    assert!(!stderr(&missing_arg).is_empty());

    // No account yet: a clear message, not a network attempt.
    let empty = dir_arg(&tmp.path().join("empty"));
    let no_account = cli(
        &[
            "--data-dir",
            &empty,
            "send",
            &format!("05{}", "ab".repeat(32)),
            "hi",
        ],
        None,
    );
    assert!(!no_account.status.success());
    assert!(
        stderr(&no_account).contains("holds no account"),
        "{}",
        stderr(&no_account)
    );

    // A conversation that does not exist.
    let none = cli(
        &[
            "--data-dir",
            &dir,
            "history",
            &format!("05{}", "cd".repeat(32)),
        ],
        None,
    );
    assert!(!none.status.success());
    assert!(
        stderr(&none).contains("no conversation"),
        "{}",
        stderr(&none)
    );

    // Listing conversations of a fresh account prints nothing and succeeds.
    let listed = cli(&["--data-dir", &dir, "conversations"], None);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stdout(&listed), "");
}

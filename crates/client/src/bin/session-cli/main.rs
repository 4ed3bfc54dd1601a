//! `session-cli`: a Session client on the command line (accounts, send, receive, history).
//!
//! Received messages are printed as JSON lines `{"sender":…,"sent_at":…,"body":…}`. The last
//! message printed by `receive` is remembered in the data directory, so each message is printed
//! once even if another command (such as `send`) fetched it first.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;
use session_client::clock::{Clock, SystemClock};
use session_client::protocol::identity::SessionId;
use session_client::store::{Direction, Message, MessageId, MessageStatus, Store};
use session_client::{Account, Client, ClientConfig, DataDir};
use tracing_subscriber::EnvFilter;

mod sync;

/// mimalloc, as in the node: the system allocator cost measurably more CPU per message in
/// `cargo bench -p session-client --bench e2e_latency` (which uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The seed of a local devnet (`session-node devnet`).
const DEFAULT_SEED: &str = session_client::client::DEFAULT_SEED_URL;
/// File in the data directory holding the id of the last message `receive` printed.
const RECEIVE_CURSOR_FILE: &str = "cli-receive-cursor";
/// Messages printed per store query.
const PRINT_BATCH: u32 = 1_000;

#[derive(Debug, Parser)]
#[command(
    name = "session-cli",
    version,
    about = "A Session messenger client for the command line"
)]
struct Cli {
    /// The account's data directory (default: the platform's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Seed node URL of the network.
    #[arg(long, global = true, value_name = "URL", default_value = DEFAULT_SEED)]
    seed: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, restore or show the account.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Send a text message and wait until the network has stored it.
    Send {
        /// The recipient's Session ID (66 hex characters starting with 05).
        session_id: String,
        /// The message text.
        text: String,
        /// Give up waiting after this many seconds (the message stays queued).
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Fetch new messages and print each as a JSON line.
    Receive {
        /// Keep polling for this many seconds, printing messages as they arrive.
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
    },
    /// Send every message still queued (e.g. after an interrupted `send`) and wait for it.
    Flush {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// List the conversations (and message requests) as JSON lines.
    Conversations,
    /// List every contact (name, nickname, approved, blocked) as JSON lines.
    Contacts,
    /// Fetch the account's synced settings and contacts from the network, send local changes,
    /// and print what changed as JSON lines.
    Sync {
        /// Keep syncing for this many seconds, printing changes as they arrive.
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
    },
    /// Print a conversation's messages, oldest first, as JSON lines.
    History {
        /// The other person's Session ID.
        session_id: String,
        /// How many of the newest messages to print.
        #[arg(long, default_value_t = 1_000)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create a new account; prints its Session ID and recovery phrase.
    New {
        /// The display name others see.
        #[arg(long)]
        name: Option<String>,
    },
    /// Restore an account from its recovery phrase (read from standard input); fetches and
    /// prints the display name and how many contacts came back.
    Restore,
    /// Show the account's Session ID and display name.
    Show {
        /// Also print the recovery phrase (anyone who sees it can read your messages).
        #[arg(long)]
        phrase: bool,
    },
    /// Set the display name others see (an empty name clears it); it reaches the account's
    /// other devices.
    Name {
        /// The new display name.
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let dir = match &cli.data_dir {
        Some(dir) => DataDir::new(dir),
        None => DataDir::platform_default()?,
    };
    match cli.command {
        Command::Account(AccountCommand::New { name }) => account_new(dir, name.as_deref()),
        Command::Account(AccountCommand::Restore) => {
            account_restore(dir.clone())?;
            sync::report_restore(dir, &cli.seed).await
        }
        Command::Account(AccountCommand::Show { phrase }) => account_show(dir, phrase),
        Command::Account(AccountCommand::Name { name }) => {
            sync::account_name(dir, &cli.seed, &name).await
        }
        Command::Send {
            session_id,
            text,
            timeout,
        } => send(dir, &cli.seed, &session_id, text, timeout).await,
        Command::Receive { wait } => receive(dir, &cli.seed, wait).await,
        Command::Flush { timeout } => flush(dir, &cli.seed, timeout).await,
        Command::Conversations => conversations(dir),
        Command::Contacts => sync::contacts(dir),
        Command::Sync { wait } => sync::sync(dir, &cli.seed, wait).await,
        Command::History { session_id, limit } => history(dir, &session_id, limit),
    }
}

fn parse_session_id(text: &str) -> Result<SessionId> {
    text.parse()
        .with_context(|| format!("{text:?} is not a valid Session ID"))
}

/// Writes one line to standard output and flushes it (output may be a pipe read live).
fn print_line(line: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn open_store(account: &Account) -> Result<Store> {
    Ok(account.open_store(SystemClock.now_ms())?)
}

fn account_new(dir: DataDir, name: Option<&str>) -> Result<()> {
    let account = Account::create(dir)?;
    let mut store = open_store(&account)?;
    if let Some(name) = name {
        store.set_display_name(Some(name.trim()).filter(|n| !n.is_empty()))?;
    }
    print_line(&format!("Session ID: {}", account.session_id()))?;
    print_line(&format!(
        "Recovery phrase: {}",
        account.recovery_phrase().as_str()
    ))?;
    Ok(())
}

fn account_restore(dir: DataDir) -> Result<()> {
    let mut phrase = zeroize::Zeroizing::new(String::new());
    io::stdin()
        .lock()
        .read_line(&mut phrase)
        .context("cannot read the recovery phrase from standard input")?;
    if phrase.trim().is_empty() {
        bail!("no recovery phrase given; pass the 13 words on standard input");
    }
    let account = Account::restore(dir, phrase.trim())?;
    open_store(&account)?;
    print_line(&format!("Session ID: {}", account.session_id()))?;
    Ok(())
}

fn account_show(dir: DataDir, phrase: bool) -> Result<()> {
    let account = Account::load(dir)?;
    let store = open_store(&account)?;
    print_line(&format!("Session ID: {}", account.session_id()))?;
    if let Some(name) = store.account()?.and_then(|a| a.display_name) {
        print_line(&format!("Display name: {name}"))?;
    }
    if phrase {
        print_line(&format!(
            "Recovery phrase: {}",
            account.recovery_phrase().as_str()
        ))?;
    }
    print_line(&format!(
        "Data directory: {}",
        account.data_dir().root().display()
    ))?;
    Ok(())
}

async fn start_client(dir: DataDir, seed: &str) -> Result<Client> {
    let account = Account::load(dir)?;
    let mut config = ClientConfig::devnet(seed);
    config.poll_active = Duration::from_secs(1);
    Ok(Client::start(account, config).await?)
}

async fn send(dir: DataDir, seed: &str, peer: &str, text: String, timeout: u64) -> Result<()> {
    let peer = parse_session_id(peer)?;
    let client = start_client(dir, seed).await?;
    let result = async {
        let message = client.send_text(peer, text).await?;
        let status = client
            .wait_sent(message.id, Duration::from_secs(timeout))
            .await?;
        if status == MessageStatus::Failed {
            bail!("the message could not be sent; run `session-cli flush` to try again later");
        }
        // Writing to someone new makes them a contact: tell the account's other devices now
        // rather than with the next command that syncs.
        let pushed = tokio::time::timeout(Duration::from_secs(timeout), client.push_configs_now());
        match pushed.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::debug!(%error, "contact list not sent; the next sync sends it");
            }
            Err(_) => tracing::debug!("contact list not sent in time; the next sync sends it"),
        }
        Ok(())
    }
    .await;
    client.shutdown().await;
    result
}

async fn flush(dir: DataDir, seed: &str, timeout: u64) -> Result<()> {
    let client = start_client(dir, seed).await?;
    let result = client
        .wait_queue_empty(Duration::from_secs(timeout))
        .await
        .map_err(anyhow::Error::from);
    client.shutdown().await;
    result
}

async fn receive(dir: DataDir, seed: &str, wait: Option<u64>) -> Result<()> {
    let cursor_path = dir.root().join(RECEIVE_CURSOR_FILE);
    let client = start_client(dir.clone(), seed).await?;
    let result = async {
        let mut cursor = read_cursor(&cursor_path)?;
        let deadline = Instant::now() + Duration::from_secs(wait.unwrap_or(0));
        let mut first = true;
        loop {
            match client.poll_now().await {
                Ok(_) => {}
                // One failed poll is fatal only when not asked to keep trying.
                Err(error) if wait.is_none() || first && Instant::now() >= deadline => {
                    return Err(anyhow::Error::from(error).context("cannot fetch new messages"));
                }
                Err(error) => tracing::debug!(%error, "poll failed; trying again"),
            }
            first = false;
            cursor = print_new(&client, cursor, &cursor_path).await?;
            if Instant::now() >= deadline {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500).min(deadline - Instant::now())).await;
        }
    }
    .await;
    client.shutdown().await;
    result
}

/// Prints the incoming messages after `cursor` and saves the new cursor.
async fn print_new(client: &Client, mut cursor: MessageId, path: &PathBuf) -> Result<MessageId> {
    loop {
        let messages = client.incoming_after(cursor, PRINT_BATCH).await?;
        let Some(last) = messages.last().map(|m| m.id) else {
            return Ok(cursor);
        };
        for message in &messages {
            print_line(&message_json(message).to_string())?;
        }
        cursor = last;
        write_cursor(path, cursor)?;
    }
}

fn message_json(message: &Message) -> serde_json::Value {
    json!({
        "sender": message.sender.to_hex(),
        "sent_at": message.sent_at_ms,
        "body": message.body,
    })
}

fn read_cursor(path: &PathBuf) -> Result<MessageId> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(MessageId(text.trim().parse().with_context(|| {
            format!(
                "{} is damaged; delete it to print every message again",
                path.display()
            )
        })?)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(MessageId(0)),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_cursor(path: &PathBuf, cursor: MessageId) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, format!("{}\n", cursor.0))
        .and_then(|()| fs::rename(&tmp, path))
        .with_context(|| format!("cannot write {}", path.display()))
}

fn conversations(dir: DataDir) -> Result<()> {
    let account = Account::load(dir)?;
    let store = open_store(&account)?;
    let lists = [
        (false, store.conversations()?),
        (true, store.message_requests()?),
    ];
    for (request, items) in lists {
        for item in items {
            let c = &item.conversation;
            print_line(
                &json!({
                    "peer": c.peer.to_hex(),
                    "name": item.peer_name,
                    "request": request,
                    "unread": c.unread_count,
                    "last_activity": c.last_activity_ms,
                    "last_message": item.last_message,
                })
                .to_string(),
            )?;
        }
    }
    Ok(())
}

fn history(dir: DataDir, peer: &str, limit: u32) -> Result<()> {
    let peer = parse_session_id(peer)?;
    let account = Account::load(dir)?;
    let store = open_store(&account)?;
    let Some(conversation) = store.conversation_with(&peer)? else {
        bail!("there is no conversation with {peer}");
    };
    let page = store.messages_page(conversation.id, None, limit)?;
    for message in page.messages.iter().rev() {
        let direction = match message.direction {
            Direction::Incoming => "in",
            Direction::Outgoing => "out",
        };
        let status = message.status.map(|s| match s {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        });
        print_line(
            &json!({
                "direction": direction,
                "sender": message.sender.to_hex(),
                "sent_at": message.sent_at_ms,
                "body": message.body,
                "status": status,
                "read": message.is_read,
            })
            .to_string(),
        )?;
    }
    Ok(())
}

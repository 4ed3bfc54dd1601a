//! The local network the app starts by itself on first run: when the default devnet seed does
//! not answer, `session` re-executes itself as `session --run-devnet DIR` in its own process
//! group, so the network outlives any one window, and waits until the seed lists the nodes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use session_node::devnet::{self, DevnetConfig};
use tokio::sync::Mutex;

/// How long the app waits for a devnet it started to list every node.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long one probe of the seed may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Errors reaching or starting the local network.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DevnetError {
    /// The app could not start its own devnet process.
    #[error("cannot start the local network ({0}); run `session-node devnet` yourself")]
    Spawn(String),
    /// The seed never answered.
    #[error(
        "the network seed {0} does not answer; check the address or start `session-node devnet`"
    )]
    NoAnswer(String),
}

/// One start at a time per process (several subscriptions may ask at once).
static STARTING: Mutex<()> = Mutex::const_new(());

/// Number of service nodes the seed lists, or `None` when it does not answer.
pub async fn probe(seed_url: &str) -> Option<usize> {
    let client = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .build()
        .ok()?;
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 0, "method": "get_n_service_nodes",
        "params": { "limit": 1000, "fields": { "pubkey_ed25519": true } }
    });
    let response = client
        .post(format!("{}/json_rpc", seed_url.trim_end_matches('/')))
        .json(&body)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let value: serde_json::Value = response.json().await.ok()?;
    let states = value.pointer("/result/service_node_states")?.as_array()?;
    Some(states.len())
}

/// Makes sure `seed_url` answers: if it does not and `start` is set, starts a detached devnet
/// with state in `dir` and waits until its seed lists every node.
pub async fn ensure(seed_url: &str, start: bool, dir: &Path) -> Result<(), DevnetError> {
    if probe(seed_url).await.is_some_and(|n| n > 0) {
        return Ok(());
    }
    let _guard = STARTING.lock().await;
    if probe(seed_url).await.is_some_and(|n| n > 0) {
        return Ok(());
    }
    if start {
        spawn_detached(dir)?;
    }
    let want = if start { devnet::DEFAULT_NODES } else { 1 };
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if probe(seed_url).await.is_some_and(|n| n >= want) {
            tracing::info!("the network answers");
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(DevnetError::NoAnswer(seed_url.to_owned()));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Starts `session --run-devnet DIR` in the background, detached from this process group.
fn spawn_detached(dir: &Path) -> Result<(), DevnetError> {
    let exe = std::env::current_exe().map_err(|e| DevnetError::Spawn(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| DevnetError::Spawn(e.to_string()))?;
    let log = std::fs::File::create(dir.join("devnet.log"))
        .map_err(|e| DevnetError::Spawn(e.to_string()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| DevnetError::Spawn(e.to_string()))?;
    let mut command = Command::new(exe);
    command
        .arg("--run-devnet")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: closing the window (or Ctrl+C in its terminal) leaves the
        // network running for the other profiles.
        command.process_group(0);
    }
    let child = command
        .spawn()
        .map_err(|e| DevnetError::Spawn(e.to_string()))?;
    tracing::info!(pid = child.id(), dir = %dir.display(), "started the local network");
    Ok(())
}

/// The hidden `--run-devnet DIR` mode: runs a devnet from `base_port` on until stopped.
pub fn run_devnet(dir: &Path, base_port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let (trigger, shutdown) = session_node::shutdown::channel();
        let config = DevnetConfig {
            dir: PathBuf::from(dir),
            base_port,
            ..DevnetConfig::default()
        };
        let net = devnet::start(&config, shutdown).await?;
        tracing::info!(seed = %net.seed_url(), "devnet is up");
        // Lets scripts stop exactly this process.
        let _ = std::fs::write(dir.join("devnet.pid"), format!("{}\n", std::process::id()));
        wait_for_stop().await;
        trigger.trigger();
        net.join().await;
        Ok(())
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

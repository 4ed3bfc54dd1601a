//! Helpers for the headless UI tests: run the app's tasks on a tokio runtime and feed their
//! results back (the iced_test Simulator does not run async tasks), drive the Simulator, and
//! start a real devnet and real clients.

#![allow(dead_code)] // each test file uses a different subset
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::time::Duration;

use iced::futures::StreamExt;
use iced::Task;
use iced_test::Simulator;
use session::app::{Message, Session};
use session::cli::AppConfig;
use session_client::{Account, Client, ClientConfig};
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::shutdown::{self, ShutdownTrigger};
use tempfile::TempDir;

/// The window size the tests lay out at.
pub const SIZE: (f32, f32) = (1180.0, 760.0);

/// Runs `task` to completion and returns the messages it produced (widget operations such as
/// focus and scrolling, and clipboard writes, are dropped: there is no window).
pub fn run_task(rt: &tokio::runtime::Runtime, task: Task<Message>) -> Vec<Message> {
    let Some(stream) = iced_runtime::task::into_stream(task) else {
        return Vec::new();
    };
    let actions: Vec<_> = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), stream.collect::<Vec<_>>())
            .await
            .expect("a task did not finish within 60 s")
    });
    actions
        .into_iter()
        .filter_map(|action| match action {
            iced_runtime::Action::Output(message) => Some(message),
            _ => None,
        })
        .collect()
}

/// Updates `app` with `message` and, recursively, with every message its tasks produce.
pub fn drive(app: &mut Session, rt: &tokio::runtime::Runtime, message: Message) {
    let mut queue = vec![message];
    let mut steps = 0;
    while let Some(message) = queue.pop() {
        steps += 1;
        assert!(steps < 500, "the app keeps producing messages");
        let task = app.update(message);
        let mut produced = run_task(rt, task);
        produced.reverse();
        queue.extend(produced);
    }
}

/// Renders `app`, lets `interact` click and type, and feeds the resulting messages back.
pub fn interact(
    app: &mut Session,
    rt: &tokio::runtime::Runtime,
    interact: impl FnOnce(&mut Simulator<'_, Message>),
) {
    let messages: Vec<Message> = {
        let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, app.view());
        interact(&mut ui);
        ui.into_messages().collect()
    };
    for message in messages {
        drive(app, rt, message);
    }
}

/// Whether `text` is shown exactly somewhere in `app`.
pub fn shows(app: &Session, text: &str) -> bool {
    let mut ui = Simulator::with_size(iced::Settings::default(), SIZE, app.view());
    ui.find(text).is_ok()
}

/// A fresh app (no account) with its folder in a temporary directory.
pub fn new_app(seed_url: Option<String>) -> (TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let config = AppConfig::new(dir.path().to_path_buf(), "test", seed_url);
    let mut app = Session::new(config);
    app.notifications = false;
    (dir, app)
}

/// A runtime for the client and the tasks.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A running devnet and its stop switch.
pub struct Net {
    /// The devnet.
    pub net: Devnet,
    /// Stops it.
    pub trigger: ShutdownTrigger,
    /// Its state.
    pub dir: TempDir,
}

/// Starts a small devnet on free ports.
pub async fn start_net() -> Net {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DevnetConfig {
        nodes: 8,
        swarm_size: 4,
        dir: dir.path().to_path_buf(),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    };
    let (trigger, stop) = shutdown::channel();
    let net = devnet::start(&cfg, stop).await.unwrap();
    Net { net, trigger, dir }
}

/// Client settings with fast polling.
pub fn fast_config(seed_url: &str) -> ClientConfig {
    let mut config = ClientConfig::devnet(seed_url);
    config.poll_active = Duration::from_millis(200);
    config
}

/// Starts a client for the account in the app's profile folder.
pub async fn start_app_client(app: &Session, seed_url: &str) -> Client {
    let account = Account::load(app.config.account_dir()).unwrap();
    Client::start(account, fast_config(seed_url)).await.unwrap()
}

/// Feeds every update the client has reported so far into the app.
pub fn pump(
    app: &mut Session,
    rt: &tokio::runtime::Runtime,
    updates: &mut tokio::sync::broadcast::Receiver<session_client::Update>,
) {
    while let Ok(update) = updates.try_recv() {
        drive(app, rt, Message::Link(session::link::Event::Update(update)));
    }
}

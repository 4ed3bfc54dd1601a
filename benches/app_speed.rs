#![allow(clippy::unwrap_used, clippy::print_stdout)]
//! App speed with 10,000 messages in the database: start to the first laid-out frame (headless,
//! tiny-skia; no window), opening the conversation, and resident memory.
//! Run with `cargo bench --bench app_speed`.

use std::time::{Duration, Instant};

use iced::futures::StreamExt;
use iced::Task;
use iced_test::Simulator;
use session::app::{Message, Session};
use session::cli::AppConfig;
use session::link;
use session::screen::main::conversation::Message as ConversationMessage;
use session::screen::main::Message as MainMessage;
use session_client::store::NewIncoming;
use session_client::{Account, Client, ClientConfig, DataDir};

const MESSAGES: usize = 10_000;

fn run_task(rt: &tokio::runtime::Runtime, task: Task<Message>) -> Vec<Message> {
    let Some(stream) = iced_runtime::task::into_stream(task) else {
        return Vec::new();
    };
    rt.block_on(stream.collect::<Vec<_>>())
        .into_iter()
        .filter_map(|a| match a {
            iced_runtime::Action::Output(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn drive(app: &mut Session, rt: &tokio::runtime::Runtime, message: Message) {
    let mut queue = vec![message];
    while let Some(message) = queue.pop() {
        let task = app.update(message);
        queue.extend(run_task(rt, task));
    }
}

fn frame(app: &Session) {
    let mut ui = Simulator::with_size(iced::Settings::default(), (1180.0, 760.0), app.view());
    let _ = ui.find("Session");
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = AppConfig::new(
        dir.path().to_path_buf(),
        "bench",
        Some("http://127.0.0.1:9".to_owned()),
    );
    let account = Account::create(config.account_dir()).unwrap();
    let peer_dir = tempfile::tempdir().unwrap();
    let peer = Account::create(DataDir::new(peer_dir.path()))
        .unwrap()
        .session_id();
    let now = 1_763_800_000_000i64;
    {
        let mut store = account.open_store(now).unwrap();
        let batch: Vec<NewIncoming> = (0..MESSAGES)
            .map(|i| NewIncoming {
                sender: peer,
                body: format!("message number {i}: the quick brown fox jumps over the lazy dog"),
                sent_at_ms: now - (MESSAGES - i) as i64 * 60_000,
                server_hash: format!("hash{i}"),
            })
            .collect();
        store.insert_incoming_batch(&batch, now).unwrap();
        let id = store.conversation_with(&peer).unwrap().unwrap().id;
        store.accept_request(id, now).unwrap();
    }
    drop(account);

    // Cold start: app state, client start (opens the database), lists loaded, first frame.
    let start = Instant::now();
    let mut app = Session::new(config.clone());
    app.notifications = false;
    let account = Account::load(config.account_dir()).unwrap();
    let client = rt
        .block_on(Client::start(
            account,
            ClientConfig::devnet(&config.seed_url),
        ))
        .unwrap();
    drive(
        &mut app,
        &rt,
        Message::Link(link::Event::Started(client.clone())),
    );
    frame(&app);
    let cold = start.elapsed();
    assert_eq!(app.main.conversations.len(), 1);
    let id = app.main.conversations[0].conversation.id;

    // Opening the 10,000-message conversation: page query, state, layout of the frame.
    let mut opens: Vec<Duration> = Vec::new();
    for _ in 0..9 {
        app.main.open = None;
        let t = Instant::now();
        drive(&mut app, &rt, Message::Main(MainMessage::Select(id)));
        frame(&app);
        opens.push(t.elapsed());
        assert_eq!(app.main.open.as_ref().unwrap().messages.len(), 50);
    }
    opens.sort();
    // Scrolling back: one older page (the query alone), then page after page through the app
    // (query, prepend, and a full frame: view and a cold layout, which is the worst case: the
    // running app keeps shaped text between frames).
    let t = Instant::now();
    let cursor = app.main.open.as_ref().unwrap().older.unwrap();
    let page = rt
        .block_on(client.messages_page(id, Some(cursor), 50))
        .unwrap();
    let older = t.elapsed();
    assert_eq!(page.messages.len(), 50);
    let mut scroll: Vec<(usize, Duration, Duration)> = Vec::new();
    let mut worst_page = Duration::ZERO;
    while let Some(cursor) = app.main.open.as_ref().unwrap().older {
        let t = Instant::now();
        let page = rt
            .block_on(client.messages_page(id, Some(cursor), 50))
            .map_err(|e| e.to_string());
        drive(
            &mut app,
            &rt,
            Message::Main(MainMessage::Conversation(ConversationMessage::OlderPage(
                page,
            ))),
        );
        let loaded = t.elapsed();
        let t = Instant::now();
        frame(&app);
        let framed = t.elapsed();
        worst_page = worst_page.max(loaded);
        let count = app.main.open.as_ref().unwrap().messages.len();
        if [500, 1000, 2000, 5000, MESSAGES].contains(&count) {
            scroll.push((count, loaded, framed));
        }
    }
    let t = Instant::now();
    let _ = app.view();
    let view_only = t.elapsed();

    println!("app_speed: {MESSAGES} messages in the database");
    println!(
        "cold start to first laid-out frame (headless): {:.1} ms",
        cold.as_secs_f64() * 1e3
    );
    println!(
        "open conversation (median of 9): {:.1} ms (min {:.1}, max {:.1})",
        opens[4].as_secs_f64() * 1e3,
        opens[0].as_secs_f64() * 1e3,
        opens[8].as_secs_f64() * 1e3
    );
    println!("load one older page: {:.1} ms", older.as_secs_f64() * 1e3);
    println!(
        "worst older page through the app (query + prepend): {:.1} ms",
        worst_page.as_secs_f64() * 1e3
    );
    for (count, loaded, framed) in &scroll {
        println!(
            "{count} messages loaded: page {:.1} ms, frame (view + cold layout) {:.1} ms",
            loaded.as_secs_f64() * 1e3,
            framed.as_secs_f64() * 1e3
        );
    }
    println!(
        "view() alone with all loaded: {:.1} ms",
        view_only.as_secs_f64() * 1e3
    );
    println!("resident memory after opening: {:.0} MB", rss_mb());
    rt.block_on(client.shutdown());
}

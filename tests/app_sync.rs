#![allow(clippy::unwrap_used)]
//! Headless UI tests of config sync against a real devnet: the "Other devices" settings page
//! (its text, "Sync now", the display name reloaded when the settings open), nicknames in the
//! conversation list and header (and set from the header), and the progress shown after a
//! restore.

mod app_support;

use std::time::{Duration, Instant};

use app_support::*;
use session::app::{Message, Screen};
use session::link;
use session::screen::dialog::{self, Dialog};
use session::screen::main::Message as MainMessage;
use session::screen::onboarding;
use session::screen::restore::Progress;
use session::screen::settings;
use session_client::protocol::identity::SessionId;
use session_client::{Account, Client, DataDir};

const WAIT: Duration = Duration::from_secs(60);

/// Another device of the account whose phrase is `phrase`, running on `seed`.
fn other_device(
    rt: &tokio::runtime::Runtime,
    phrase: &str,
    seed: &str,
) -> (tempfile::TempDir, Client) {
    let dir = tempfile::tempdir().unwrap();
    let account = Account::restore(DataDir::new(dir.path().join("data")), phrase).unwrap();
    let client = rt
        .block_on(Client::start(account, fast_config(seed)))
        .unwrap();
    (dir, client)
}

fn someone() -> SessionId {
    let dir = tempfile::tempdir().unwrap();
    Account::create(DataDir::new(dir.path()))
        .unwrap()
        .session_id()
}

/// Polls `check` until it holds (panics after [`WAIT`]).
fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until a fresh restore of `phrase` sees `name` and `contacts` synced contacts: the
/// other device's changes are on the network.
fn wait_pushed(rt: &tokio::runtime::Runtime, phrase: &str, seed: &str, name: &str, n: usize) {
    let (_dir, probe) = other_device(rt, phrase, seed);
    wait_for("the configs on the network", || {
        let _ = rt.block_on(probe.sync_now());
        let shown = rt.block_on(probe.display_name()).unwrap();
        shown.as_deref() == Some(name) && probe.synced_contact_count() == n
    });
    rt.block_on(probe.shutdown());
}

#[test]
fn other_devices_page_explains_sync_and_sync_now_brings_name_and_nicknames() {
    let rt = runtime();
    let net = rt.block_on(start_net());
    let seed = net.net.seed_url();

    let (_dir, app) = new_app(Some(seed.clone()));
    let account = Account::create(app.config.account_dir()).unwrap();
    let phrase = account.recovery_phrase().to_string();
    let mut app = session::Session::new(app.config);
    app.notifications = false;
    let client = rt.block_on(start_app_client(&app, &seed));
    let mut updates = client.updates();
    drive(
        &mut app,
        &rt,
        Message::Link(link::Event::Started(client.clone())),
    );

    // The page explains what an other device is and what syncs.
    drive(&mut app, &rt, Message::Main(MainMessage::OpenSettings));
    interact(&mut app, &rt, |ui| {
        ui.click("Other devices").unwrap();
    });
    for line in [
        "What syncs between your devices",
        "Your display name",
        "Your contacts and the nicknames you gave them",
        "Blocked contacts",
        "Message requests you accepted",
        "What does not sync",
        "This device's theme, language, text size and notification settings.",
    ] {
        assert!(shows(&app, line), "the page shows {line:?}");
    }
    let i18n = session::i18n::I18n::new(session::i18n::Language::English);
    assert!(shows(&app, &i18n.tr("devices-same-account")));
    assert!(shows(&app, &i18n.tr("devices-not-synced-history")));

    // Meanwhile, on a laptop with the same phrase: a new name and a nicknamed contact.
    let (_laptop_dir, laptop) = other_device(&rt, &phrase, &seed);
    let bob = someone();
    rt.block_on(async {
        laptop
            .set_display_name(Some("Alice on laptop".into()))
            .await
            .unwrap();
        laptop.start_conversation(bob).await.unwrap();
        laptop
            .set_nickname(bob, Some("Bobby".into()))
            .await
            .unwrap();
        laptop.sync_now().await.unwrap();
    });
    wait_pushed(&rt, &phrase, &seed, "Alice on laptop", 1);

    // "Sync now" on this device brings them and says so.
    interact(&mut app, &rt, |ui| {
        ui.click("Sync now").unwrap();
    });
    assert!(
        shows(&app, "Done. 1 contact in your synced list."),
        "the result is shown: {:?}",
        match &app.screen {
            Screen::Settings(state) => Some(state.sync.clone()),
            _ => None,
        }
    );
    let Screen::Settings(state) = &app.screen else {
        panic!("the settings are open");
    };
    assert_eq!(state.sync, settings::SyncState::Done { contacts: 1 });
    assert_eq!(state.name, "Alice on laptop", "the synced name is shown");
    assert_eq!(app.main.own_name.as_deref(), Some("Alice on laptop"));

    // The nickname is the name shown in the list, and in the header once opened.
    interact(&mut app, &rt, |ui| {
        ui.click("← Back").unwrap();
    });
    wait_for("Bob's conversation", || {
        pump(&mut app, &rt, &mut updates);
        drive(&mut app, &rt, Message::Link(link::Event::Lagged));
        !app.main.conversations.is_empty()
    });
    assert!(shows(&app, "Bobby"), "the list shows the nickname");
    let id = app.main.conversations[0].conversation.id;
    drive(&mut app, &rt, Message::Main(MainMessage::Select(id)));
    let open = app.main.open.as_ref().unwrap();
    assert_eq!(open.name.as_deref(), Some("Bobby"));

    // The header sets the nickname: the dialog starts with the current one.
    interact(&mut app, &rt, |ui| {
        ui.click("Set nickname").unwrap();
    });
    let Some(Dialog::Nickname { input, .. }) = &app.main.dialog else {
        panic!("the nickname dialog is open");
    };
    assert_eq!(input, "Bobby");
    assert!(shows(&app, "Nickname for Bobby"));
    drive(
        &mut app,
        &rt,
        Message::Main(MainMessage::Dialog(dialog::Message::NicknameChanged(
            "Bob B.".into(),
        ))),
    );
    interact(&mut app, &rt, |ui| {
        ui.click("Save").unwrap();
    });
    assert!(app.main.dialog.is_none(), "saving closes the dialog");
    assert_eq!(
        app.main.conversations[0].peer_name.as_deref(),
        Some("Bob B.")
    );
    assert_eq!(
        app.main.open.as_ref().unwrap().name.as_deref(),
        Some("Bob B.")
    );
    let contact = rt
        .block_on(client.all_contacts())
        .unwrap()
        .into_iter()
        .find(|c| c.session_id == bob)
        .unwrap();
    assert_eq!(contact.nickname.as_deref(), Some("Bob B."));

    // A name changed elsewhere shows the next time the settings open.
    rt.block_on(async {
        laptop
            .set_display_name(Some("Alice A.".into()))
            .await
            .unwrap();
        laptop.sync_now().await.unwrap();
    });
    wait_pushed(&rt, &phrase, &seed, "Alice A.", 1);
    wait_for("the new name on this device", || {
        let _ = rt.block_on(client.sync_now());
        rt.block_on(client.display_name()).unwrap().as_deref() == Some("Alice A.")
    });
    drive(&mut app, &rt, Message::Main(MainMessage::OpenSettings));
    let Screen::Settings(state) = &app.screen else {
        panic!("the settings are open");
    };
    assert_eq!(state.name, "Alice A.");

    rt.block_on(async {
        laptop.shutdown().await;
        client.shutdown().await;
        net.trigger.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(10), net.net.join()).await;
    });
}

#[test]
fn a_restore_shows_progress_then_the_name_and_contacts_that_arrived() {
    let rt = runtime();
    let net = rt.block_on(start_net());
    let seed = net.net.seed_url();

    // The old device: a name and two contacts, one with a nickname.
    let old_dir = tempfile::tempdir().unwrap();
    let old_account = Account::create(DataDir::new(old_dir.path())).unwrap();
    let phrase = old_account.recovery_phrase().to_string();
    let old = rt
        .block_on(Client::start(old_account, fast_config(&seed)))
        .unwrap();
    let (bob, carol) = (someone(), someone());
    rt.block_on(async {
        old.set_display_name(Some("Alice".into())).await.unwrap();
        old.start_conversation(bob).await.unwrap();
        old.start_conversation(carol).await.unwrap();
        old.set_nickname(bob, Some("Bobby".into())).await.unwrap();
        old.sync_now().await.unwrap();
    });
    wait_pushed(&rt, &phrase, &seed, "Alice", 2);

    // The new device: the app restores the phrase.
    let (_dir, mut app) = new_app(Some(seed.clone()));
    interact(&mut app, &rt, |ui| {
        ui.click("I have an account").unwrap();
    });
    drive(
        &mut app,
        &rt,
        Message::Onboarding(onboarding::Message::PhraseChanged(phrase)),
    );
    interact(&mut app, &rt, |ui| {
        ui.click("Restore").unwrap();
    });
    assert!(shows(&app, "Account restored"));
    interact(&mut app, &rt, |ui| {
        ui.click("Continue").unwrap();
    });
    assert!(matches!(app.screen, Screen::Main));
    assert_eq!(app.restore, Some(Progress::Fetching));
    assert!(shows(&app, "Fetching your profile and contacts…"));

    // The client starts: still fetching until the first sync has finished.
    let client = rt.block_on(start_app_client(&app, &seed));
    let mut updates = client.updates();
    let task = app.update(Message::Link(link::Event::Started(client.clone())));
    assert!(shows(&app, "Fetching your profile and contacts…"));
    for message in run_task(&rt, task) {
        drive(&mut app, &rt, message);
    }
    assert!(
        shows(&app, "Restored: Alice, 2 contacts"),
        "the outcome is shown: {:?}",
        app.restore
    );
    assert_eq!(app.main.own_name.as_deref(), Some("Alice"));
    pump(&mut app, &rt, &mut updates);
    wait_for("both conversations", || {
        pump(&mut app, &rt, &mut updates);
        app.main.conversations.len() == 2
    });
    assert!(shows(&app, "Bobby"), "the nickname is in the list");

    // The banner closes.
    interact(&mut app, &rt, |ui| {
        ui.click("Close").unwrap();
    });
    assert_eq!(app.restore, None);
    assert!(!shows(&app, "Restored: Alice, 2 contacts"));

    rt.block_on(async {
        old.shutdown().await;
        client.shutdown().await;
        net.trigger.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(10), net.net.join()).await;
    });
}

#[test]
fn a_restore_without_a_network_says_the_data_comes_later() {
    let progress = Progress::Fetching;
    let next = progress.update(session::screen::restore::Message::Synced(Err(
        "no network".into()
    )));
    assert_eq!(next, Some(Progress::Later));
    let i18n = session::i18n::I18n::new(session::i18n::Language::English);
    let ctx = session::widget::Ctx {
        i18n: &i18n,
        c: session::theme::Colors::of(session::theme::Mode::Dark),
        text_size: 15,
    };
    assert_eq!(
        session::screen::restore::describe(&Progress::Later, &ctx),
        "Your profile and contacts will arrive once the network can be reached."
    );
    assert_eq!(
        session::screen::restore::describe(
            &Progress::Done {
                name: None,
                contacts: 1
            },
            &ctx
        ),
        "Restored: 1 contact, no display name"
    );
}

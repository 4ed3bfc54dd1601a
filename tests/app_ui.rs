#![allow(clippy::unwrap_used)]
//! Headless UI tests (iced_test Simulator, no display): onboarding, restore, language switch,
//! and — against a real devnet with real clients — accepting a message request and sending a
//! message through the composer.

mod app_support;

use std::time::Duration;

use app_support::*;
use iced::keyboard::key::Named;
use iced_test::selector::id;
use session::app::{Message, Screen, Shortcut};
use session::i18n::{I18n, Language};
use session::link;
use session::screen::onboarding::{self, PhraseCheck, Step};
use session::screen::{dialog, main::conversation};
use session_client::protocol::identity::SessionId;
use session_client::store::MessageStatus;
use session_client::{Account, DataDir};

#[test]
fn create_account_shows_id_and_phrase_then_asks_for_a_name() {
    let rt = runtime();
    let (_dir, mut app) = new_app(None);
    assert!(shows(&app, "Create account"));
    interact(&mut app, &rt, |ui| {
        ui.click("Create account").unwrap();
    });
    let Screen::Onboarding(state) = &app.screen else {
        panic!("still onboarding expected");
    };
    let Step::Created {
        session_id, phrase, ..
    } = &state.step
    else {
        panic!("the created step expected, got {:?}", state.step);
    };
    let (session_id, phrase) = (session_id.clone(), phrase.to_string());
    assert_eq!(phrase.split_whitespace().count(), 13);
    // The ID on screen is the account's.
    let account = Account::load(app.config.account_dir()).unwrap();
    assert_eq!(account.session_id().to_hex(), session_id);
    assert!(shows(&app, &session_id));
    assert!(shows(&app, &phrase));
    assert!(shows(&app, "Copy phrase"));
    interact(&mut app, &rt, |ui| {
        ui.click("Copy phrase").unwrap();
    });
    assert!(shows(&app, "Copied"));
    interact(&mut app, &rt, |ui| {
        ui.click("I have saved it").unwrap();
    });
    assert!(shows(&app, "Pick a display name"));
    interact(&mut app, &rt, |ui| {
        ui.click(id("display-name")).unwrap();
        ui.typewrite("Alice");
    });
    interact(&mut app, &rt, |ui| {
        ui.click("Continue").unwrap();
    });
    assert!(matches!(app.screen, Screen::Main));
    // Until the client runs, the app says it is connecting.
    assert!(shows(&app, "Connecting to the network…"));
}

#[test]
fn restore_reports_a_wrong_word_then_accepts_the_right_phrase() {
    let rt = runtime();
    let other = tempfile::tempdir().unwrap();
    let original = Account::create(DataDir::new(other.path())).unwrap();
    let phrase = original.recovery_phrase().to_string();
    let words: Vec<&str> = phrase.split_whitespace().collect();

    let (_dir, mut app) = new_app(None);
    interact(&mut app, &rt, |ui| {
        ui.click("I have an account").unwrap();
    });
    // Type it with a typo in word 3.
    let mut wrong = words.clone();
    wrong[2] = "zqxwv";
    let typed = format!("{} ", wrong.join(" "));
    interact(&mut app, &rt, |ui| {
        ui.click(id("phrase")).unwrap();
        ui.typewrite(&typed);
    });
    let Screen::Onboarding(state) = &app.screen else {
        panic!("onboarding expected");
    };
    let Step::Restore { check, .. } = &state.step else {
        panic!("restore step expected");
    };
    let PhraseCheck::UnknownWord {
        position,
        word,
        suggestions,
    } = check.clone()
    else {
        panic!("unknown word expected, got {check:?}");
    };
    assert_eq!((position, word.as_str()), (3, "zqxwv"));
    assert!(!suggestions.is_empty());
    let i18n = I18n::new(Language::English);
    let expected = i18n.tr_args(
        "restore-unknown-word",
        &[
            ("position", "3".to_owned()),
            ("word", "zqxwv".to_owned()),
            ("suggestions", suggestions.join(", ")),
        ],
    );
    assert!(shows(&app, &expected), "the error is shown: {expected}");
    // Too few words and a bad checksum are explained too.
    assert_eq!(
        onboarding::check_phrase(&words[..5].join(" ")),
        PhraseCheck::WrongCount { found: 5 }
    );
    // A wrong checksum word: the twelve data words stay valid, and the thirteenth is a list
    // word other than the one the checksum picks, so the checksum must fail for every phrase.
    // (Swapping two data words is no such test: the checksum word is one of the twelve, chosen
    // by CRC-32 modulo 12, so a swap keeps it valid for about one phrase in twelve.)
    let mut bad_checksum = words.clone();
    bad_checksum[12] = if words[12] == "abbey" {
        "ability"
    } else {
        "abbey"
    };
    assert_eq!(
        onboarding::check_phrase(&bad_checksum.join(" ")),
        PhraseCheck::Checksum
    );
    // Paste the right phrase.
    drive(
        &mut app,
        &rt,
        Message::Onboarding(onboarding::Message::PhraseChanged(phrase.clone())),
    );
    assert!(shows(&app, "The phrase is valid."));
    interact(&mut app, &rt, |ui| {
        ui.click("Restore").unwrap();
    });
    let id_hex = original.session_id().to_hex();
    assert!(shows(&app, "Account restored"));
    assert!(shows(&app, &id_hex));
    interact(&mut app, &rt, |ui| {
        ui.click("Continue").unwrap();
    });
    assert!(matches!(app.screen, Screen::Main));
    let restored = Account::load(app.config.account_dir()).unwrap();
    assert_eq!(restored.session_id(), original.session_id());
}

#[test]
fn switching_the_language_translates_the_screen_and_is_remembered() {
    let rt = runtime();
    let (dir, app) = new_app(None);
    Account::create(app.config.account_dir()).unwrap();
    let mut app = session::Session::new(app.config);
    app.notifications = false;
    drive(
        &mut app,
        &rt,
        Message::Main(session::screen::main::Message::OpenSettings),
    );
    interact(&mut app, &rt, |ui| {
        ui.click("Language").unwrap();
    });
    interact(&mut app, &rt, |ui| {
        ui.click("Deutsch").unwrap();
    });
    assert_eq!(app.i18n.language(), Language::German);
    assert!(shows(&app, "Sprache"), "the settings are in German now");
    // Remembered for the next start.
    let again = session::Session::new(app.config.clone());
    assert_eq!(again.i18n.language(), Language::German);
    interact(&mut app, &rt, |ui| {
        ui.click("Français").unwrap();
    });
    assert!(shows(&app, "Langue"));
    drop(dir);
}

#[test]
fn accept_a_request_and_send_a_message_through_the_composer() {
    let rt = runtime();
    let net = rt.block_on(start_net());
    let seed = net.net.seed_url();

    // Alice is the app; Bob is a headless client.
    let (_alice_dir, app) = new_app(Some(seed.clone()));
    Account::create(app.config.account_dir()).unwrap();
    let mut app = session::Session::new(app.config);
    app.notifications = false;
    let alice = rt.block_on(start_app_client(&app, &seed));
    let mut updates = alice.updates();
    drive(
        &mut app,
        &rt,
        Message::Link(link::Event::Started(alice.clone())),
    );
    assert!(app.client.is_some());
    let alice_id = *alice.session_id();

    let bob_dir = tempfile::tempdir().unwrap();
    let bob_account = Account::create(DataDir::new(bob_dir.path())).unwrap();
    let bob = rt
        .block_on(session_client::Client::start(
            bob_account,
            fast_config(&seed),
        ))
        .unwrap();
    let bob_id = *bob.session_id();

    // Bob writes first: a message request for Alice.
    let sent = rt
        .block_on(bob.send_text(alice_id, "Hi Alice, it's Bob".to_owned()))
        .unwrap();
    let status = rt
        .block_on(bob.wait_sent(sent.id, Duration::from_secs(30)))
        .unwrap();
    assert_eq!(status, MessageStatus::Sent);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while app.main.requests.is_empty() {
        assert!(std::time::Instant::now() < deadline, "no request arrived");
        let _ = rt.block_on(alice.poll_now());
        pump(&mut app, &rt, &mut updates);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(shows(&app, "Message requests"));
    interact(&mut app, &rt, |ui| {
        ui.click("Message requests").unwrap();
    });
    assert!(shows(&app, "Hi Alice, it's Bob"));
    interact(&mut app, &rt, |ui| {
        ui.click("Accept").unwrap();
    });
    pump(&mut app, &rt, &mut updates);
    assert!(app.main.requests.is_empty(), "the request was accepted");
    let conversation = app
        .main
        .conversations
        .iter()
        .find(|i| i.conversation.peer == bob_id)
        .expect("Bob's conversation is in the list")
        .conversation
        .id;

    // Open it and answer with the composer: type, Enter sends.
    drive(
        &mut app,
        &rt,
        Message::Main(session::screen::main::Message::Select(conversation)),
    );
    assert!(shows(&app, "Hi Alice, it's Bob"));
    interact(&mut app, &rt, |ui| {
        ui.click(id(conversation::COMPOSER_ID)).unwrap();
        ui.typewrite("Hello Bob");
        ui.tap_key(Named::Enter);
    });
    assert!(shows(&app, "Hello Bob"), "the sent message is shown");
    let open = app.main.open.as_ref().unwrap();
    let mine = open
        .messages
        .iter()
        .find(|m| m.body == "Hello Bob")
        .expect("the message is in the conversation");
    assert!(
        open.composer.text().trim().is_empty(),
        "the composer is cleared"
    );
    // It went into the client's queue and out to Bob's swarm.
    let status = rt
        .block_on(alice.wait_sent(mine.id, Duration::from_secs(30)))
        .unwrap();
    assert_eq!(status, MessageStatus::Sent);
    pump(&mut app, &rt, &mut updates);
    assert!(shows(&app, "Sent"), "the delivery state is shown");

    // Shift+Enter adds a new line instead of sending.
    interact(&mut app, &rt, |ui| {
        ui.click(id(conversation::COMPOSER_ID)).unwrap();
        ui.typewrite("line one");
    });
    let press = iced::widget::text_editor::KeyPress {
        key: iced::keyboard::Key::Named(Named::Enter),
        modified_key: iced::keyboard::Key::Named(Named::Enter),
        physical_key: iced::keyboard::key::Physical::Code(iced::keyboard::key::Code::Enter),
        modifiers: iced::keyboard::Modifiers::SHIFT,
        text: None,
        status: iced::widget::text_editor::Status::Focused { is_hovered: false },
    };
    assert!(matches!(
        conversation::composer_keys(press),
        Some(iced::widget::text_editor::Binding::Enter)
    ));

    // A new conversation by pasting an ID validates it.
    drive(&mut app, &rt, Message::Shortcut(Shortcut::NewConversation));
    assert!(app.main.dialog.is_some());
    assert!(dialog::parse_peer("05abc").is_err());
    assert_eq!(dialog::parse_peer(&bob_id.to_hex()).unwrap(), bob_id);
    drive(&mut app, &rt, Message::Shortcut(Shortcut::Escape));
    assert!(app.main.dialog.is_none());
    let _: SessionId = bob_id;

    rt.block_on(async {
        alice.shutdown().await;
        bob.shutdown().await;
        net.trigger.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(10), net.net.join()).await;
    });
}

#![allow(clippy::unwrap_used)]
//! Errors in the user's language: Session ID parse errors (with their details) in every
//! locale and in the new-conversation dialog, QR errors, and the client's problem reports as a
//! dismissable banner that also goes away when the network recovers.

mod app_support;

use app_support::*;
use iced_test::selector::id;
use session::app::{Message, Screen};
use session::describe::{problem, session_id_error};
use session::i18n::{I18n, Language};
use session::link;
use session::qr::QrError;
use session::screen::dialog::{self, DialogError};
use session::screen::main::{self as main_screen, recovered};
use session_client::protocol::identity::{IdentityError, SessionId};
use session_client::{Account, NetworkStatus, PathInfo, PathState, Update};

fn parse_error(text: &str) -> IdentityError {
    text.parse::<SessionId>().unwrap_err()
}

fn hex64() -> String {
    "ab".repeat(32)
}

#[test]
fn session_id_errors_are_translated_with_their_details() {
    let english = I18n::new(Language::English);
    let cases = [
        (parse_error("05abc"), "5"),
        (parse_error(&format!("05{}g", &hex64()[1..])), "66"),
        (parse_error(&format!("15{}", hex64())), "15"),
        (parse_error(&format!("03{}", hex64())), "03"),
        (parse_error(&format!("aa{}", hex64())), "aa"),
    ];
    assert!(matches!(
        cases[0].0,
        IdentityError::SessionIdLength { found: 5 }
    ));
    assert!(matches!(
        cases[1].0,
        IdentityError::SessionIdNotHex {
            position: 66,
            character: 'g'
        }
    ));
    for language in Language::ALL {
        let i18n = I18n::new(language);
        let mut texts = Vec::new();
        for (error, detail) in &cases {
            let text = session_id_error(error, &i18n);
            assert!(
                !text.starts_with("session-id-"),
                "{}: {text}",
                language.tag()
            );
            assert!(text.contains(detail), "{}: {text}", language.tag());
            if language != Language::English {
                assert_ne!(
                    text,
                    session_id_error(error, &english),
                    "{}",
                    language.tag()
                );
            }
            texts.push(text);
        }
        // The not-hex error names the character; each prefix kind is explained differently.
        assert!(texts[1].contains('g'), "{}: {}", language.tag(), texts[1]);
        assert_ne!(texts[2], texts[3], "{}", language.tag());
        assert_ne!(texts[3], texts[4], "{}", language.tag());
        // QR errors too.
        let qr = DialogError::Qr(QrError::NotFound).describe(&i18n);
        assert!(!qr.starts_with("qr-"), "{}: {qr}", language.tag());
    }
    assert!(session_id_error(&cases[2].0, &english).contains("blinded"));
    assert!(session_id_error(&cases[3].0, &english).contains("group"));
}

#[test]
fn the_dialog_explains_a_wrong_id_in_the_chosen_language() {
    let rt = runtime();
    let (_dir, app) = new_app(None);
    Account::create(app.config.account_dir()).unwrap();
    let mut app = session::Session::new(app.config);
    app.notifications = false;
    assert!(matches!(app.screen, Screen::Main));
    drive(
        &mut app,
        &rt,
        Message::Main(main_screen::Message::NewConversation),
    );
    interact(&mut app, &rt, |ui| {
        ui.click(id(dialog::PEER_INPUT_ID)).unwrap();
        ui.typewrite("05abc");
    });
    let english = I18n::new(Language::English)
        .tr_args("session-id-error-length", &[("found", "5".to_owned())]);
    assert!(shows(&app, &english), "shown: {english}");
    app.i18n = I18n::new(Language::German);
    let german = app
        .i18n
        .tr_args("session-id-error-length", &[("found", "5".to_owned())]);
    assert_ne!(german, english);
    assert!(shows(&app, &german), "shown after the switch: {german}");
    assert!(!shows(&app, &english));
}

fn status(online: bool, healthy: usize) -> NetworkStatus {
    NetworkStatus {
        online,
        paths: (0..healthy)
            .map(|_| PathInfo {
                hops: Vec::new(),
                state: PathState::Healthy,
            })
            .collect(),
        ..NetworkStatus::default()
    }
}

fn update(app: &mut session::Session, rt: &tokio::runtime::Runtime, update: Update) {
    drive(app, rt, Message::Link(link::Event::Update(update)));
}

#[test]
fn a_problem_is_a_banner_that_closes_with_x_or_when_the_network_recovers() {
    let rt = runtime();
    let (_dir, app) = new_app(None);
    Account::create(app.config.account_dir()).unwrap();
    let mut app = session::Session::new(app.config);
    app.notifications = false;

    let report = "cannot fetch new messages: no onion path answered";
    update(&mut app, &rt, Update::Problem(report.to_owned()));
    let shown = problem(report, &app.i18n);
    assert_ne!(shown, report, "the known report is rephrased");
    assert!(shown.contains("no onion path answered"));
    assert!(shows(&app, &shown));
    interact(&mut app, &rt, |ui| {
        ui.click("×").unwrap();
    });
    assert!(app.main.problem.is_none());
    assert!(!shows(&app, &shown));

    // Unknown reports are shown as they came.
    assert_eq!(problem("something else", &app.i18n), "something else");

    // Online with paths: a status change that adds nothing keeps it; recovery clears it.
    update(&mut app, &rt, Update::Network(status(true, 1)));
    update(&mut app, &rt, Update::Problem(report.to_owned()));
    let mut same = status(true, 1);
    same.clock_offset_ms = 40;
    update(&mut app, &rt, Update::Network(same));
    assert!(shows(&app, &shown), "still shown while nothing recovered");
    update(&mut app, &rt, Update::Network(status(false, 0)));
    assert!(shows(&app, &shown));
    update(&mut app, &rt, Update::Network(status(true, 1)));
    assert!(app.main.problem.is_none(), "cleared once online again");
    assert!(!shows(&app, &shown));

    assert!(recovered(&status(true, 1), &status(true, 2)));
    assert!(!recovered(&status(true, 2), &status(true, 1)));
    assert!(!recovered(&status(false, 0), &status(false, 0)));
}

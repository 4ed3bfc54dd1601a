//! Translated texts for errors that reach the app as typed values (Session ID parsing, QR
//! codes) or as the client's English problem reports, so the user reads them in the chosen
//! language. The texts are made when drawing, so a language switch applies at once.

use session_client::protocol::identity::IdentityError;

use crate::i18n::I18n;
use crate::qr::QrError;

/// What is wrong with a typed or scanned Session ID.
pub fn session_id_error(error: &IdentityError, i18n: &I18n) -> String {
    match error {
        IdentityError::SessionIdLength { found } => {
            i18n.tr_args("session-id-error-length", &[("found", found.to_string())])
        }
        IdentityError::SessionIdByteLength { found } => i18n.tr_args(
            "session-id-error-byte-length",
            &[("found", found.to_string())],
        ),
        IdentityError::SessionIdNotHex {
            position,
            character,
        } => {
            // Control characters are invisible; show their code point instead.
            let shown = if character.is_control() {
                character.escape_unicode().to_string()
            } else {
                character.to_string()
            };
            i18n.tr_args(
                "session-id-error-not-hex",
                &[("position", position.to_string()), ("character", shown)],
            )
        }
        IdentityError::SessionIdPrefix { prefix, .. } => i18n.tr_args(
            "session-id-error-prefix",
            &[
                ("prefix", prefix.clone()),
                ("kind", prefix_kind(prefix).to_owned()),
            ],
        ),
        IdentityError::InvalidEd25519Key | IdentityError::BadSignature => {
            i18n.tr("session-id-error-invalid")
        }
    }
}

/// The Fluent selector for what an id with this (lowercase hex) prefix is.
fn prefix_kind(prefix: &str) -> &'static str {
    match prefix {
        "15" | "25" => "blinded",
        "03" => "group",
        "00" => "community-key",
        "07" => "version-key",
        _ => "other",
    }
}

/// Why a QR code could not be read, drawn or saved.
pub fn qr_error(error: &QrError, i18n: &I18n) -> String {
    match error {
        QrError::TooLong => i18n.tr("qr-failed"),
        QrError::Image(_) => i18n.tr("qr-error-image"),
        QrError::NotFound => i18n.tr("qr-error-not-found"),
        QrError::Unreadable(_) => i18n.tr("qr-error-unreadable"),
        QrError::Save(detail) => i18n.tr_args("qr-error-save", &[("detail", detail.clone())]),
    }
}

/// Start of the client's "polling failed" problem report.
const PROBLEM_FETCH: &str = "cannot fetch new messages: ";
/// Start of the client's "sending gave up" problem report.
const PROBLEM_SEND: &str = "a message could not be sent: ";

/// A problem the client reported (`Update::Problem`). The client sends English text; the two
/// reports it makes today get a translated lead with the client's detail after it, anything
/// else is shown as it came.
pub fn problem(text: &str, i18n: &I18n) -> String {
    if let Some(detail) = text.strip_prefix(PROBLEM_FETCH) {
        i18n.tr_args("problem-fetch", &[("detail", detail.to_owned())])
    } else if let Some(detail) = text.strip_prefix(PROBLEM_SEND) {
        i18n.tr_args("problem-send", &[("detail", detail.to_owned())])
    } else {
        text.to_owned()
    }
}

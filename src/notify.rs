//! Desktop notifications for new messages while the window is not focused, showing only what
//! the notification-content setting allows.

use crate::backend::NotificationContent;

/// What one notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The title.
    pub summary: String,
    /// The text under it.
    pub body: String,
}

/// The notification for a message from `sender_name` with `text`, per `content`.
/// `generic_title` and `generic_body` are the translated "Session" / "New message" texts.
pub fn compose(
    content: NotificationContent,
    sender_name: &str,
    text: &str,
    generic_title: &str,
    generic_body: &str,
) -> Note {
    match content {
        NotificationContent::NameAndContent => Note {
            summary: sender_name.to_owned(),
            body: text.chars().take(200).collect(),
        },
        NotificationContent::NameOnly => Note {
            summary: sender_name.to_owned(),
            body: generic_body.to_owned(),
        },
        NotificationContent::Hidden => Note {
            summary: generic_title.to_owned(),
            body: generic_body.to_owned(),
        },
    }
}

/// Shows `note` (on a blocking thread: the D-Bus call may take a moment). Failures (no
/// notification daemon) are logged at debug level only.
pub async fn show(note: Note) {
    let _ = tokio::task::spawn_blocking(move || {
        if let Err(error) = notify_rust::Notification::new()
            .appname("Session")
            .summary(&note.summary)
            .body(&note.body)
            .show()
        {
            tracing::debug!(%error, "no desktop notification");
        }
    })
    .await;
}

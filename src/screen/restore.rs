//! After a restore from the recovery phrase: a banner over the main screen that says the
//! account's profile and contacts are being fetched, then what arrived.
//!
//! The client fetches them itself (config messages, applied before the inbox); the app only
//! asks for one sync once the client runs and reports its outcome.

use std::time::Duration;

use iced::widget::{container, row, Space};
use iced::{Alignment, Element, Length, Task};

use crate::backend::Client;
use crate::task_util::call;
use crate::theme;
use crate::widget::Ctx;

/// Attempts of the first sync before the banner says the data will come later (the network
/// may still be building its paths right after the start).
const ATTEMPTS: u32 = 3;
/// Wait between attempts.
const RETRY_AFTER: Duration = Duration::from_secs(3);

/// Where the restored account's data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for the client, or the first sync runs.
    Fetching,
    /// The first sync finished.
    Done {
        /// The account's display name, if it has one.
        name: Option<String>,
        /// Contacts in the synced contact list.
        contacts: usize,
    },
    /// The network could not be reached; the data arrives once it can.
    Later,
}

/// Restore banner input.
#[derive(Debug, Clone)]
pub enum Message {
    /// The first sync finished: the display name and the synced contacts.
    Synced(Result<(Option<String>, usize), String>),
    /// Close the banner.
    Dismiss,
}

/// Runs the first sync of a restored account (retrying a little while the network starts) and
/// reads what it brought.
pub fn first_sync(client: &Client) -> Task<Message> {
    let client = client.clone();
    call(
        async move {
            let mut attempt = 1;
            loop {
                match client.sync_now().await {
                    Ok(_) => break,
                    Err(error) if attempt >= ATTEMPTS => return Err(error),
                    Err(error) => {
                        tracing::debug!(%error, attempt, "first sync after a restore failed");
                        attempt += 1;
                        tokio::time::sleep(RETRY_AFTER).await;
                    }
                }
            }
            let name = client.display_name().await?;
            Ok((name, client.synced_contact_count()))
        },
        Message::Synced,
    )
}

impl Progress {
    /// The progress after `message`; `None` closes the banner.
    pub fn update(&self, message: Message) -> Option<Progress> {
        match message {
            Message::Synced(Ok((name, contacts))) => Some(Progress::Done { name, contacts }),
            Message::Synced(Err(error)) => {
                tracing::debug!(%error, "the restored account's data could not be fetched yet");
                Some(Progress::Later)
            }
            Message::Dismiss => None,
        }
    }
}

/// The banner's text.
pub fn describe(progress: &Progress, ctx: &Ctx<'_>) -> String {
    let i18n = ctx.i18n;
    match progress {
        Progress::Fetching => i18n.tr("restore-sync-fetching"),
        Progress::Done {
            name: Some(name),
            contacts,
        } => i18n.tr_args_count(
            "restore-sync-done",
            &[("name", name.clone())],
            "count",
            i64::try_from(*contacts).unwrap_or(i64::MAX),
        ),
        Progress::Done {
            name: None,
            contacts,
        } => i18n.tr_count(
            "restore-sync-done-unnamed",
            "count",
            i64::try_from(*contacts).unwrap_or(i64::MAX),
        ),
        Progress::Later => i18n.tr("restore-sync-later"),
    }
}

/// The banner (a close link once the sync finished).
pub fn banner<'a>(progress: &Progress, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let color = match progress {
        Progress::Fetching => c.muted,
        Progress::Done { .. } => c.text,
        Progress::Later => c.warning,
    };
    let close =
        (*progress != Progress::Fetching).then(|| ctx.link(ctx.tr("close"), Message::Dismiss));
    container(
        row![
            ctx.body(describe(progress, &ctx)).color(color),
            Space::new().width(Length::Fill)
        ]
        .push(close)
        .spacing(12)
        .align_y(Alignment::Center),
    )
    .padding([6, 16])
    .width(Length::Fill)
    .style(theme::fill(c.panel, color))
    .into()
}

//! The "Other devices" page: any device where the recovery phrase is entered is this same
//! account; what syncs between them and what stays on each; and "Sync now".

use iced::widget::{column, container, row, Column, Space};
use iced::{Alignment, Element, Length, Task};

use crate::backend::Client;
use crate::task_util::call;
use crate::theme;
use crate::widget::Ctx;

use super::Message;

/// What the last "Sync now" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Not pressed since the settings opened.
    Idle,
    /// Running.
    Running,
    /// Finished.
    Done {
        /// Contacts in the synced contact list.
        contacts: usize,
    },
    /// Failed, with the client's error.
    Failed(String),
}

/// What syncs between the account's devices (translation keys).
const SYNCED: [&str; 5] = [
    "devices-synced-name",
    "devices-synced-contacts",
    "devices-synced-blocked",
    "devices-synced-requests",
    "devices-synced-read",
];

/// What stays on each device (translation keys).
const NOT_SYNCED: [&str; 2] = ["devices-not-synced-history", "devices-not-synced-prefs"];

/// Reads the client's display name.
pub fn load_name(client: &Client) -> Task<Message> {
    let client = client.clone();
    call(
        async move { client.display_name().await },
        Message::NameLoaded,
    )
}

/// Polls and pushes the configs once, then reads the display name and the synced contacts.
pub fn sync_now(client: &Client) -> Task<Message> {
    let client = client.clone();
    call(
        async move {
            client.sync_now().await?;
            let name = client.display_name().await?;
            Ok((name, client.synced_contact_count()))
        },
        Message::Synced,
    )
}

fn bullets<'a>(keys: &[&str], ctx: Ctx<'a>) -> Element<'a, Message> {
    let mut list = Column::new().spacing(6);
    for key in keys {
        list = list.push(
            row![ctx.body("•"), ctx.body(ctx.tr(key)).width(Length::Fill)]
                .spacing(8)
                .align_y(Alignment::Start),
        );
    }
    list.into()
}

/// The page's content.
pub fn view<'a>(sync: &SyncState, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let subheading = |key: &str| ctx.body(ctx.tr(key)).size(f32::from(ctx.text_size) + 2.0);
    let result = match sync {
        SyncState::Idle => None,
        SyncState::Running => Some(ctx.muted(ctx.tr("devices-syncing"))),
        SyncState::Done { contacts } => Some(
            ctx.body(ctx.i18n.tr_count(
                "devices-sync-done",
                "count",
                i64::try_from(*contacts).unwrap_or(i64::MAX),
            ))
            .color(c.accent),
        ),
        SyncState::Failed(error) => Some(
            ctx.body(
                ctx.i18n
                    .tr_args("devices-sync-failed", &[("error", error.clone())]),
            )
            .color(c.danger),
        ),
    };
    let running = *sync == SyncState::Running;
    column![
        container(ctx.body(ctx.tr("devices-same-account")))
            .padding(14)
            .width(Length::Fill)
            .style(theme::card(c)),
        Space::new().height(4),
        subheading("devices-synced-title"),
        bullets(&SYNCED, ctx),
        Space::new().height(4),
        subheading("devices-not-synced-title"),
        bullets(&NOT_SYNCED, ctx),
        Space::new().height(4),
        ctx.muted(ctx.tr("devices-sync-hint")),
        row![ctx.primary(
            ctx.tr("devices-sync-now"),
            (!running).then_some(Message::SyncNow)
        )]
        .push(result)
        .spacing(16)
        .align_y(Alignment::Center),
    ]
    .spacing(12)
    .into()
}

//! Settings: profile, recovery phrase, other devices, privacy, appearance, language and the
//! network page.

mod devices;
mod network;

pub use devices::{load_name, SyncState};

use iced::widget::{
    button, column, container, pick_list, radio, row, scrollable, text, text_input, toggler,
    Column, Space,
};
use iced::{Alignment, Element, Length, Task};
use zeroize::Zeroizing;

use crate::backend::{Client, NetworkStatus, NotificationContent, PollStats, Settings};
use crate::i18n::Language;
use crate::prefs::{Prefs, TEXT_SIZES};
use crate::task_util::call;
use crate::theme::{self, Mode};
use crate::widget::Ctx;

/// A settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Display name and Session ID.
    Profile,
    /// The recovery phrase, behind a confirmation.
    Recovery,
    /// This account on other devices: what syncs, and "Sync now".
    Devices,
    /// Read receipts, typing indicators, notification content.
    Privacy,
    /// Theme and text size.
    Appearance,
    /// The language.
    Language,
    /// Onion paths and the swarm.
    Network,
}

impl Page {
    const ALL: [Page; 7] = [
        Page::Profile,
        Page::Recovery,
        Page::Devices,
        Page::Privacy,
        Page::Appearance,
        Page::Language,
        Page::Network,
    ];

    fn key(self) -> &'static str {
        match self {
            Page::Profile => "settings-profile",
            Page::Recovery => "settings-recovery",
            Page::Devices => "settings-devices",
            Page::Privacy => "settings-privacy",
            Page::Appearance => "settings-appearance",
            Page::Language => "settings-language",
            Page::Network => "settings-network",
        }
    }
}

/// Whether the recovery phrase is shown.
#[derive(Debug)]
pub enum Reveal {
    /// Hidden.
    Hidden,
    /// Asking "are you sure?".
    Confirming,
    /// Shown.
    Shown(Zeroizing<String>),
}

/// The settings screen's state.
#[derive(Debug)]
pub struct State {
    /// The page shown.
    pub page: Page,
    /// The display name being edited.
    pub name: String,
    /// The user typed in the name input (a reloaded name no longer replaces it).
    pub name_edited: bool,
    /// The recovery phrase.
    pub reveal: Reveal,
    /// A confirmation or error under the page.
    pub note: Option<String>,
    /// The last "Sync now".
    pub sync: SyncState,
    /// What polling skipped, read when the network page opens.
    pub poll_stats: Option<PollStats>,
}

/// Settings input.
#[derive(Debug, Clone)]
pub enum Message {
    /// Show a page.
    Show(Page),
    /// The name input changed.
    NameChanged(String),
    /// Save the name.
    SaveName,
    /// The client's display name (read when the settings open and after a sync).
    NameLoaded(Result<Option<String>, String>),
    /// Poll and push the account's configs now.
    SyncNow,
    /// "Sync now" finished: the display name and the synced contacts.
    Synced(Result<(Option<String>, usize), String>),
    /// A call finished.
    Saved(Result<(), String>),
    /// Ask to reveal the phrase.
    RevealAsk,
    /// Confirmed: show it.
    RevealConfirm,
    /// Hide it.
    RevealHide,
    /// Copy it.
    CopyPhrase,
    /// Read receipts on or off.
    ReadReceipts(bool),
    /// Typing indicators on or off.
    TypingIndicators(bool),
    /// What notifications show.
    Notifications(NotificationContent),
    /// Dark or light.
    Theme(Mode),
    /// Text size.
    TextSize(u16),
    /// Language (`None`: the system's).
    Language(LanguageChoice),
    /// Back to the conversations.
    Close,
}

/// An entry of the language picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageChoice(pub Option<Language>);

/// What the settings tell the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Back to the main screen.
    Close,
    /// The app preferences changed (save them, reload translations).
    Prefs(Prefs),
    /// The display name was saved.
    NameSaved(String),
    /// The client's display name was read (it may have come from another device).
    NameLoaded(Option<String>),
}

impl State {
    /// Settings showing `page`, the name input prefilled.
    pub fn new(page: Page, name: Option<String>) -> State {
        State {
            page,
            name: name.unwrap_or_default(),
            name_edited: false,
            reveal: Reveal::Hidden,
            note: None,
            sync: SyncState::Idle,
            poll_stats: None,
        }
    }

    /// Handles `message`; `privacy` is the app's copy of the client settings.
    pub fn update(
        &mut self,
        message: Message,
        prefs: Prefs,
        privacy: &mut Settings,
        client: Option<&Client>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Show(page) => {
                self.page = page;
                self.note = None;
                if page == Page::Network {
                    // Counters only (atomics): cheap enough for the UI thread.
                    self.poll_stats = client.map(Client::poll_stats);
                }
                if page != Page::Recovery {
                    self.reveal = Reveal::Hidden;
                }
            }
            Message::NameChanged(name) => {
                self.name = name.chars().take(100).collect();
                self.name_edited = true;
            }
            Message::NameLoaded(Ok(name)) => return (Task::none(), self.name_loaded(name)),
            Message::NameLoaded(Err(error)) => self.note = Some(error),
            Message::SyncNow => {
                if let Some(client) = client {
                    self.sync = SyncState::Running;
                    return (devices::sync_now(client), None);
                }
            }
            Message::Synced(result) => {
                let event = match result {
                    Ok((name, contacts)) => {
                        self.sync = SyncState::Done { contacts };
                        self.name_loaded(name)
                    }
                    Err(error) => {
                        self.sync = SyncState::Failed(error);
                        None
                    }
                };
                return (Task::none(), event);
            }
            Message::SaveName => {
                self.name_edited = false;
                let name = self.name.trim().to_owned();
                if let Some(client) = client {
                    let client = client.clone();
                    let value = (!name.is_empty()).then(|| name.clone());
                    return (
                        call(
                            async move { client.set_display_name(value).await },
                            Message::Saved,
                        ),
                        Some(Event::NameSaved(name)),
                    );
                }
            }
            Message::Saved(result) => {
                self.note = Some(match result {
                    Ok(()) => String::from("✓"),
                    Err(e) => e,
                });
            }
            Message::RevealAsk => self.reveal = Reveal::Confirming,
            Message::RevealConfirm => {
                if let Some(client) = client {
                    self.reveal = Reveal::Shown(client.recovery_phrase());
                }
            }
            Message::RevealHide => self.reveal = Reveal::Hidden,
            Message::CopyPhrase => {
                if let Reveal::Shown(phrase) = &self.reveal {
                    return (iced::clipboard::write(phrase.to_string()), None);
                }
            }
            Message::ReadReceipts(on) => {
                privacy.read_receipts = on;
                return (save_privacy(*privacy, client), None);
            }
            Message::TypingIndicators(on) => {
                privacy.typing_indicators = on;
                return (save_privacy(*privacy, client), None);
            }
            Message::Notifications(content) => {
                privacy.notification_content = content;
                return (save_privacy(*privacy, client), None);
            }
            Message::Theme(mode) => {
                return (Task::none(), Some(Event::Prefs(Prefs { mode, ..prefs })));
            }
            Message::TextSize(text_size) => {
                return (
                    Task::none(),
                    Some(Event::Prefs(Prefs { text_size, ..prefs })),
                );
            }
            Message::Language(LanguageChoice(language)) => {
                return (
                    Task::none(),
                    Some(Event::Prefs(Prefs { language, ..prefs })),
                );
            }
            Message::Close => return (Task::none(), Some(Event::Close)),
        }
        (Task::none(), None)
    }
}

impl State {
    /// Shows the client's display name unless the user is typing a new one.
    fn name_loaded(&mut self, name: Option<String>) -> Option<Event> {
        if !self.name_edited {
            self.name = name.clone().unwrap_or_default();
        }
        Some(Event::NameLoaded(name))
    }
}

fn save_privacy(settings: Settings, client: Option<&Client>) -> Task<Message> {
    match client {
        Some(client) => {
            let client = client.clone();
            call(
                async move { client.set_settings(settings).await },
                Message::Saved,
            )
        }
        None => Task::none(),
    }
}

/// What the settings view shows besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    /// App preferences.
    pub prefs: Prefs,
    /// Privacy settings.
    pub privacy: Settings,
    /// The own Session ID.
    pub own_id: Option<&'a str>,
    /// The network state.
    pub network: &'a NetworkStatus,
}

fn section<'a>(
    title: String,
    content: impl Into<Element<'a, Message>>,
    ctx: Ctx<'a>,
) -> Element<'a, Message> {
    column![ctx.heading(title), content.into()]
        .spacing(16)
        .into()
}

fn page_view<'a>(state: &'a State, data: Data<'a>, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    match state.page {
        Page::Profile => section(
            ctx.tr("settings-profile"),
            column![
                ctx.muted(ctx.tr("display-name")),
                text_input(&ctx.tr("display-name-placeholder"), &state.name)
                    .on_input(Message::NameChanged)
                    .on_submit(Message::SaveName)
                    .padding(10)
                    .size(f32::from(ctx.text_size))
                    .style(theme::input(c)),
                ctx.primary(ctx.tr("save"), Some(Message::SaveName)),
                ctx.muted(ctx.tr("your-session-id")),
                text(data.own_id.unwrap_or("…"))
                    .size(13)
                    .font(iced::Font::MONOSPACE),
            ]
            .spacing(10),
            ctx,
        ),
        Page::Recovery => {
            let body: Element<'a, Message> = match &state.reveal {
                Reveal::Hidden => column![
                    ctx.body(ctx.tr("recovery-explain")),
                    ctx.primary(ctx.tr("recovery-reveal"), Some(Message::RevealAsk)),
                ]
                .spacing(12)
                .into(),
                Reveal::Confirming => column![
                    ctx.body(ctx.tr("recovery-confirm")).color(c.warning),
                    row![
                        ctx.secondary(ctx.tr("cancel"), Some(Message::RevealHide)),
                        ctx.danger(
                            ctx.tr("recovery-confirm-button"),
                            Some(Message::RevealConfirm)
                        ),
                    ]
                    .spacing(10),
                ]
                .spacing(12)
                .into(),
                Reveal::Shown(phrase) => column![
                    container(ctx.body(phrase.as_str()).font(iced::Font::MONOSPACE))
                        .padding(14)
                        .width(Length::Fill)
                        .style(theme::card(c)),
                    ctx.body(ctx.tr("phrase-warning")).color(c.warning),
                    row![
                        ctx.secondary(ctx.tr("copy-phrase"), Some(Message::CopyPhrase)),
                        ctx.secondary(ctx.tr("recovery-hide"), Some(Message::RevealHide)),
                    ]
                    .spacing(10),
                ]
                .spacing(12)
                .into(),
            };
            section(ctx.tr("settings-recovery"), body, ctx)
        }
        Page::Devices => section(
            ctx.tr("settings-devices"),
            devices::view(&state.sync, ctx),
            ctx,
        ),
        Page::Privacy => {
            let content = data.privacy.notification_content;
            let choice = |key: &str, value: NotificationContent| {
                radio(ctx.tr(key), value, Some(content), Message::Notifications)
                    .size(16)
                    .text_size(f32::from(ctx.text_size))
            };
            section(
                ctx.tr("settings-privacy"),
                column![
                    toggler(data.privacy.read_receipts)
                        .label(ctx.tr("read-receipts"))
                        .text_size(f32::from(ctx.text_size))
                        .on_toggle(Message::ReadReceipts),
                    ctx.muted(ctx.tr("read-receipts-hint")),
                    toggler(data.privacy.typing_indicators)
                        .label(ctx.tr("typing-indicators"))
                        .text_size(f32::from(ctx.text_size))
                        .on_toggle(Message::TypingIndicators),
                    ctx.muted(ctx.tr("typing-indicators-hint")),
                    Space::new().height(8),
                    ctx.body(ctx.tr("notification-content")),
                    choice(
                        "notify-name-and-content",
                        NotificationContent::NameAndContent
                    ),
                    choice("notify-name-only", NotificationContent::NameOnly),
                    choice("notify-hidden", NotificationContent::Hidden),
                ]
                .spacing(10),
                ctx,
            )
        }
        Page::Appearance => {
            let sizes: Vec<u16> = TEXT_SIZES.to_vec();
            section(
                ctx.tr("settings-appearance"),
                column![
                    ctx.body(ctx.tr("theme")),
                    radio(
                        ctx.tr("theme-dark"),
                        Mode::Dark,
                        Some(data.prefs.mode),
                        Message::Theme
                    )
                    .text_size(f32::from(ctx.text_size)),
                    radio(
                        ctx.tr("theme-light"),
                        Mode::Light,
                        Some(data.prefs.mode),
                        Message::Theme
                    )
                    .text_size(f32::from(ctx.text_size)),
                    Space::new().height(8),
                    ctx.body(ctx.tr("text-size")),
                    pick_list(sizes, Some(data.prefs.text_size), Message::TextSize)
                        .text_size(f32::from(ctx.text_size)),
                ]
                .spacing(10),
                ctx,
            )
        }
        Page::Language => {
            let mut choices = vec![LanguageChoice(None)];
            choices.extend(Language::ALL.into_iter().map(|l| LanguageChoice(Some(l))));
            let system = ctx.tr("language-system");
            let mut list = Column::new().spacing(8);
            for choice in choices {
                let label = match choice.0 {
                    Some(l) => l.native_name().to_owned(),
                    None => system.clone(),
                };
                let selected = choice.0 == data.prefs.language;
                list = list.push(
                    button(
                        row![
                            ctx.body(if selected { "✓" } else { "" })
                                .width(Length::Fixed(20.0)),
                            ctx.body(label),
                        ]
                        .spacing(8),
                    )
                    .padding([8, 12])
                    .width(Length::Fixed(320.0))
                    .style(theme::row_button(c, selected))
                    .on_press(Message::Language(choice)),
                );
            }
            section(ctx.tr("settings-language"), list, ctx)
        }
        Page::Network => section(
            ctx.tr("settings-network"),
            network::view(data.network, state.poll_stats.as_ref(), ctx),
            ctx,
        ),
    }
}

/// The settings view: pages on the left, the page on the right.
pub fn view<'a>(state: &'a State, data: Data<'a>, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let mut nav = Column::new().spacing(2).width(Length::Fixed(240.0));
    nav = nav.push(
        container(
            button(ctx.body(format!("← {}", ctx.tr("back"))))
                .style(theme::link_button(c.text))
                .on_press(Message::Close),
        )
        .padding([12, 8]),
    );
    for page in Page::ALL {
        nav = nav.push(
            button(ctx.body(ctx.tr(page.key())))
                .padding([10, 16])
                .width(Length::Fill)
                .style(theme::row_button(c, state.page == page))
                .on_press(Message::Show(page)),
        );
    }
    let note = state.note.as_ref().map(|n| ctx.muted(n.as_str()));
    row![
        container(nav).height(Length::Fill).style(theme::panel(c)),
        scrollable(
            column![page_view(state, data, ctx)]
                .push(note)
                .spacing(16)
                .padding(32)
                .max_width(720)
        )
        .width(Length::Fill)
        .height(Length::Fill),
    ]
    .align_y(Alignment::Start)
    .into()
}

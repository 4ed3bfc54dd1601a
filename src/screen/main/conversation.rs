//! The open conversation: messages paged from the database (older pages load when scrolled to
//! the top), bubbles grouped by sender and day, delivery and read state, the peer's typing
//! indicator, and the composer (Enter sends, Shift+Enter starts a new line).

use std::time::{Duration, Instant};

use iced::keyboard::{key, Key};
use iced::widget::{column, container, row, scrollable, text, text_editor, Column, Space};
use iced::{Alignment, Element, Length, Padding, Task};

use crate::backend::{
    ChatMessage, Client, ConversationId, Direction, MessageId, MessagePage, MessageStatus,
    PageCursor, SessionId,
};
use crate::task_util::call;
use crate::theme;
use crate::widget::{avatar, short_id, time, Ctx};

/// Messages per page.
pub const PAGE_SIZE: u32 = 50;
/// Load the older page when the view is this close to the top (pixels).
const LOAD_OLDER_AT: f32 = 120.0;
/// Bring hidden newer messages back when the view is this close to the bottom (pixels).
const SHOW_NEWER_AT: f32 = 120.0;
/// At most this many messages are laid out at once: view and layout cost grow with them (about
/// 65 ms per 1,000 in the speed bench), so scrolling far back slides a window over the loaded
/// messages instead of drawing them all.
pub const MAX_RENDERED: usize = 250;
/// Typing indicators are re-sent at most this often while typing.
const TYPING_EVERY: Duration = Duration::from_secs(4);
/// Id of the message list (for scrolling).
pub const MESSAGES_ID: &str = "messages";
/// Id of the composer (for focusing).
pub const COMPOSER_ID: &str = "composer";

/// One open conversation.
#[derive(Debug)]
pub struct Open {
    /// Its id.
    pub id: ConversationId,
    /// The other person.
    pub peer: SessionId,
    /// Their display name, if known.
    pub name: Option<String>,
    /// Still a message request.
    pub is_request: bool,
    /// Loaded messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Where the next older page starts; `None` once the first message is loaded.
    pub older: Option<PageCursor>,
    /// An older page is being loaded.
    pub loading_older: bool,
    /// The first page arrived.
    pub loaded: bool,
    /// How many of the newest loaded messages are not drawn (scrolled far back).
    pub hidden_newer: usize,
    /// The composer's text.
    pub composer: text_editor::Content,
    /// The peer is typing.
    pub peer_typing: bool,
    typing_sent_at: Option<Instant>,
    /// The last failure, shown above the composer.
    pub error: Option<String>,
}

/// Conversation input.
#[derive(Debug, Clone)]
pub enum Message {
    /// The newest page arrived.
    FirstPage(Result<MessagePage, String>),
    /// An older page arrived.
    OlderPage(Result<MessagePage, String>),
    /// The list was scrolled.
    Scrolled(scrollable::Viewport),
    /// The composer was edited.
    Edit(text_editor::Action),
    /// Send the composer's text.
    Send,
    /// A send was queued.
    Sent(Result<ChatMessage, String>),
    /// Retry a failed message.
    Retry(MessageId),
    /// Copy a message's text.
    Copy(MessageId),
    /// Delete a message.
    Delete(MessageId),
    /// A call finished.
    Done(Result<(), String>),
    /// Open the nickname dialog for the peer.
    EditNickname,
}

/// What the conversation tells the main screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Something the list shows changed (reload it).
    ListChanged,
    /// The user wants to set the peer's nickname.
    EditNickname,
}

impl Open {
    /// A conversation about to be loaded; the composer starts with the saved draft.
    pub fn new(
        id: ConversationId,
        peer: SessionId,
        name: Option<String>,
        is_request: bool,
        draft: &str,
    ) -> Open {
        Open {
            id,
            peer,
            name,
            is_request,
            messages: Vec::new(),
            older: None,
            loading_older: false,
            loaded: false,
            hidden_newer: 0,
            composer: text_editor::Content::with_text(draft),
            peer_typing: false,
            typing_sent_at: None,
            error: None,
        }
    }

    /// The task that loads the newest page.
    pub fn load(&self, client: &Client) -> Task<Message> {
        let client = client.clone();
        let id = self.id;
        call(
            async move { client.messages_page(id, None, PAGE_SIZE).await },
            Message::FirstPage,
        )
    }

    /// The name shown for the peer.
    pub fn title(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| short_id(&self.peer.to_hex()))
    }

    /// Adds or replaces a message (live updates; keeps the order by sent time).
    pub fn upsert(&mut self, message: ChatMessage) {
        if let Some(existing) = self.messages.iter_mut().find(|m| m.id == message.id) {
            *existing = message;
            return;
        }
        let at = self
            .messages
            .iter()
            .rposition(|m| (m.sent_at_ms, m.id) <= (message.sent_at_ms, message.id))
            .map_or(0, |i| i + 1);
        self.messages.insert(at, message);
    }

    /// Sets a message's delivery state.
    pub fn set_status(&mut self, id: MessageId, status: MessageStatus) {
        if let Some(m) = self.messages.iter_mut().find(|m| m.id == id) {
            m.status = Some(status);
        }
    }

    /// Marks an outgoing message read by the peer.
    pub fn set_read(&mut self, id: MessageId) {
        if let Some(m) = self.messages.iter_mut().find(|m| m.id == id) {
            m.is_read = true;
        }
    }

    /// Removes a message.
    pub fn remove(&mut self, id: MessageId) {
        self.messages.retain(|m| m.id != id);
    }

    fn prepend(&mut self, page: MessagePage) {
        let mut older: Vec<ChatMessage> = page
            .messages
            .into_iter()
            .rev()
            // An older page can only overlap the oldest messages already loaded.
            .filter(|m| {
                !self
                    .messages
                    .iter()
                    .take(2 * PAGE_SIZE as usize)
                    .any(|have| have.id == m.id)
            })
            .collect();
        older.append(&mut self.messages);
        self.messages = older;
        self.older = page.older;
        let drawn = self.messages.len().saturating_sub(self.hidden_newer);
        if drawn > MAX_RENDERED {
            self.hidden_newer = self.messages.len() - MAX_RENDERED;
        }
    }

    /// The messages drawn: at most [`MAX_RENDERED`], ending `hidden_newer` before the newest.
    pub fn drawn(&self) -> &[ChatMessage] {
        let (start, end) = self.window();
        self.messages.get(start..end).unwrap_or_default()
    }

    fn window(&self) -> (usize, usize) {
        let end = self.messages.len().saturating_sub(self.hidden_newer);
        (end.saturating_sub(MAX_RENDERED), end)
    }

    /// Handles `message`; `client` is `None` until the client runs.
    pub fn update(
        &mut self,
        message: Message,
        client: Option<&Client>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::FirstPage(Ok(page)) => {
                self.loaded = true;
                self.hidden_newer = 0;
                self.messages.clear();
                self.prepend(page);
                let snap = iced::widget::operation::snap_to_end(MESSAGES_ID);
                return (snap, None);
            }
            Message::OlderPage(Ok(page)) => {
                self.loading_older = false;
                self.prepend(page);
            }
            Message::FirstPage(Err(e)) | Message::OlderPage(Err(e)) => {
                self.loading_older = false;
                self.error = Some(e);
            }
            Message::Scrolled(viewport) => {
                let from_top = viewport.absolute_offset_reversed().y;
                let from_bottom = viewport.absolute_offset().y;
                let (start, _) = self.window();
                if from_top < LOAD_OLDER_AT {
                    if start > 0 {
                        // Older messages are loaded but not drawn: slide the window up.
                        self.hidden_newer = (self.hidden_newer + PAGE_SIZE as usize)
                            .min(self.messages.len().saturating_sub(MAX_RENDERED));
                    } else {
                        return (self.load_older(client), None);
                    }
                } else if from_bottom < SHOW_NEWER_AT && self.hidden_newer > 0 {
                    self.hidden_newer = self.hidden_newer.saturating_sub(PAGE_SIZE as usize);
                }
            }
            Message::Edit(action) => {
                let is_edit = action.is_edit();
                self.composer.perform(action);
                if is_edit {
                    return (self.after_edit(client), None);
                }
            }
            Message::Send => return self.send(client),
            Message::Sent(Ok(message)) => {
                self.upsert(message);
                return (
                    iced::widget::operation::snap_to_end(MESSAGES_ID),
                    Some(Event::ListChanged),
                );
            }
            Message::Sent(Err(e)) | Message::Done(Err(e)) => self.error = Some(e),
            Message::Done(Ok(())) => {}
            Message::EditNickname => return (Task::none(), Some(Event::EditNickname)),
            Message::Retry(id) => {
                if let Some(client) = client {
                    let client = client.clone();
                    self.set_status(id, MessageStatus::Queued);
                    return (
                        call(async move { client.retry_message(id).await }, Message::Done),
                        None,
                    );
                }
            }
            Message::Copy(id) => {
                if let Some(m) = self.messages.iter().find(|m| m.id == id) {
                    return (iced::clipboard::write(m.body.clone()), None);
                }
            }
            Message::Delete(id) => {
                self.remove(id);
                if let Some(client) = client {
                    let client = client.clone();
                    return (
                        call(
                            async move { client.delete_message(id).await },
                            Message::Done,
                        ),
                        Some(Event::ListChanged),
                    );
                }
            }
        }
        (Task::none(), None)
    }

    fn load_older(&mut self, client: Option<&Client>) -> Task<Message> {
        let (Some(client), Some(cursor)) = (client, self.older) else {
            return Task::none();
        };
        if self.loading_older || !self.loaded {
            return Task::none();
        }
        self.loading_older = true;
        let client = client.clone();
        let id = self.id;
        call(
            async move { client.messages_page(id, Some(cursor), PAGE_SIZE).await },
            Message::OlderPage,
        )
    }

    /// Saves the draft and tells the peer we are typing (rate-limited).
    fn after_edit(&mut self, client: Option<&Client>) -> Task<Message> {
        let Some(client) = client else {
            return Task::none();
        };
        let draft = self.composer.text();
        let id = self.id;
        let save = {
            let client = client.clone();
            let draft = draft.trim_end_matches('\n').to_owned();
            call(
                async move { client.set_draft(id, draft).await },
                Message::Done,
            )
        };
        let typing_now = !draft.trim().is_empty();
        let due = self
            .typing_sent_at
            .is_none_or(|at| at.elapsed() >= TYPING_EVERY);
        let typing = if typing_now && due {
            self.typing_sent_at = Some(Instant::now());
            let client = client.clone();
            call(
                async move { client.set_typing(id, true).await },
                Message::Done,
            )
        } else if !typing_now && self.typing_sent_at.take().is_some() {
            let client = client.clone();
            call(
                async move { client.set_typing(id, false).await },
                Message::Done,
            )
        } else {
            Task::none()
        };
        Task::batch([save, typing])
    }

    fn send(&mut self, client: Option<&Client>) -> (Task<Message>, Option<Event>) {
        let body = self.composer.text().trim().to_owned();
        if body.is_empty() {
            return (Task::none(), None);
        }
        let Some(client) = client else {
            return (Task::none(), None);
        };
        self.error = None;
        self.hidden_newer = 0;
        self.composer = text_editor::Content::new();
        self.typing_sent_at = None;
        let id = self.id;
        let peer = self.peer;
        let send = {
            let client = client.clone();
            call(
                async move { client.send_text(peer, body).await },
                Message::Sent,
            )
        };
        let clear = {
            let client = client.clone();
            call(
                async move {
                    client.set_draft(id, String::new()).await?;
                    client.set_typing(id, false).await
                },
                Message::Done,
            )
        };
        (Task::batch([send, clear]), None)
    }
}

/// The composer's keys: Enter sends, Shift+Enter is a new line; app shortcuts pass through.
pub fn composer_keys(press: text_editor::KeyPress) -> Option<text_editor::Binding<Message>> {
    let text_editor::KeyPress { key, modifiers, .. } = &press;
    if modifiers.command() {
        if let Key::Character(c) = key {
            if matches!(c.as_str(), "n" | "f") {
                return None;
            }
        }
        if matches!(key, Key::Named(key::Named::ArrowUp | key::Named::ArrowDown)) {
            return None;
        }
    }
    if matches!(key, Key::Named(key::Named::Enter))
        && !modifiers.shift()
        && matches!(press.status, text_editor::Status::Focused { .. })
    {
        return Some(text_editor::Binding::Custom(Message::Send));
    }
    if matches!(key, Key::Named(key::Named::Escape)) {
        return None;
    }
    text_editor::Binding::from_key_press(press)
}

fn status_label(m: &ChatMessage, ctx: &Ctx<'_>) -> Option<(String, bool)> {
    if m.direction != Direction::Outgoing {
        return None;
    }
    Some(match m.status {
        Some(MessageStatus::Queued | MessageStatus::Sending) => (ctx.tr("status-sending"), false),
        Some(MessageStatus::Failed) => (ctx.tr("status-failed"), true),
        Some(MessageStatus::Sent) | None if m.is_read => (ctx.tr("status-read"), false),
        Some(MessageStatus::Sent) | None => (ctx.tr("status-sent"), false),
    })
}

fn bubble<'a>(m: &'a ChatMessage, first_of_group: bool, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let outgoing = m.direction == Direction::Outgoing;
    let (bg, fg) = if outgoing {
        (c.accent, c.on_accent)
    } else {
        (c.received, c.text)
    };
    let body = container(ctx.body(m.body.as_str()).color(fg))
        .padding([8, 14])
        .max_width(520)
        .style(theme::bubble(bg, fg));
    let mut meta = row![ctx.muted(time::hm(m.sent_at_ms))]
        .spacing(6)
        .align_y(Alignment::Center);
    if let Some((label, failed)) = status_label(m, &ctx) {
        meta = meta.push(
            ctx.muted(label)
                .color(if failed { c.danger } else { c.muted }),
        );
        if failed {
            meta = meta.push(ctx.link(ctx.tr("retry"), Message::Retry(m.id)));
        }
    }
    meta = meta
        .push(ctx.link(ctx.tr("copy"), Message::Copy(m.id)))
        .push(ctx.link(ctx.tr("delete"), Message::Delete(m.id)));
    let stack = column![body, meta].spacing(2).align_x(if outgoing {
        Alignment::End
    } else {
        Alignment::Start
    });
    let top = if first_of_group { 10.0 } else { 2.0 };
    let line = if outgoing {
        row![Space::new().width(Length::Fill), stack]
    } else {
        row![stack, Space::new().width(Length::Fill)]
    };
    container(line)
        .padding(Padding {
            top,
            right: 16.0,
            bottom: 0.0,
            left: 16.0,
        })
        .into()
}

fn day_separator<'a>(day: time::Day, today: time::Day, ctx: Ctx<'a>) -> Element<'a, Message> {
    let label = match time::day_label(day, today) {
        time::DayLabel::Today => ctx.tr("day-today"),
        time::DayLabel::Yesterday => ctx.tr("day-yesterday"),
        time::DayLabel::Date(date) => date,
    };
    container(ctx.muted(label))
        .center_x(Length::Fill)
        .padding([12, 0])
        .into()
}

/// The conversation view: header, messages, typing indicator, composer.
pub fn view<'a>(open: &'a Open, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let title = open.title();
    let peer_hex = open.peer.to_hex();
    let header = container(
        row![
            avatar::avatar(&title, &peer_hex, 36.0),
            column![
                ctx.body(title.clone()).size(f32::from(ctx.text_size) + 2.0),
                text(peer_hex.clone()).size(11).color(c.muted),
            ]
            .spacing(2),
            Space::new().width(Length::Fill),
            ctx.link(ctx.tr("nickname-edit"), Message::EditNickname),
        ]
        .spacing(12)
        .align_y(Alignment::Center),
    )
    .padding([12, 16])
    .width(Length::Fill)
    .style(theme::panel(c));

    let mut list = Column::new().width(Length::Fill);
    if open.older.is_some()
        || open.drawn().len() < open.messages.len().saturating_sub(open.hidden_newer)
    {
        list = list.push(
            container(ctx.muted(ctx.tr("loading-older")))
                .center_x(Length::Fill)
                .padding(8),
        );
    }
    let today = time::day(time::now_ms());
    let mut previous: Option<&ChatMessage> = None;
    for m in open.drawn() {
        let day = time::day(m.sent_at_ms);
        let new_day = previous.is_none_or(|p| time::day(p.sent_at_ms) != day);
        if new_day {
            list = list.push(day_separator(day, today, ctx));
        }
        let first_of_group = new_day || previous.is_none_or(|p| p.direction != m.direction);
        list = list.push(bubble(m, first_of_group, ctx));
        previous = Some(m);
    }
    if open.loaded && open.messages.is_empty() {
        list = list.push(
            container(ctx.muted(ctx.tr("no-messages-yet")))
                .center_x(Length::Fill)
                .padding(24),
        );
    }
    list = list.push(Space::new().height(12));
    let messages = scrollable(list)
        .id(MESSAGES_ID)
        .anchor_bottom()
        .on_scroll(Message::Scrolled)
        .height(Length::Fill)
        .width(Length::Fill);

    let typing = open.peer_typing.then(|| {
        container(ctx.muted(ctx.i18n.tr_args("typing", &[("name", title.clone())])))
            .padding([2, 20])
    });
    let error = open
        .error
        .as_ref()
        .map(|e| container(ctx.body(e.as_str()).color(c.danger)).padding([2, 20]));
    let composer = container(
        row![
            text_editor(&open.composer)
                .id(COMPOSER_ID)
                .placeholder(ctx.tr("composer-placeholder"))
                .on_action(Message::Edit)
                .key_binding(composer_keys)
                .padding([10, 16])
                .size(f32::from(ctx.text_size))
                .max_height(160)
                .style(theme::editor(c)),
            ctx.primary(ctx.tr("send"), Some(Message::Send)),
        ]
        .spacing(10)
        .align_y(Alignment::Center),
    )
    .padding(12)
    .style(theme::panel(c));

    column![header, messages]
        .push(typing)
        .push(error)
        .push(composer)
        .into()
}

//! The main screen: the left strip, the conversation list with message requests and search,
//! and the open conversation.

pub mod conversation;
pub mod list;

use iced::widget::{container, row, text};
use iced::{Element, Length, Task};

use crate::backend::{
    Client, ConversationId, ConversationListItem, Direction, NetworkStatus, PathState, SearchHit,
    Update,
};
use crate::screen::dialog::{self, Dialog};
use crate::task_util::call;
use crate::theme;
use crate::widget::{modal::modal, Ctx};

use conversation::Open;

/// Search results shown at most.
const SEARCH_LIMIT: u32 = 30;
/// Id of the search input.
pub const SEARCH_ID: &str = "search";

/// The main screen's state.
#[derive(Debug, Default)]
pub struct Main {
    /// Accepted conversations, most recent first.
    pub conversations: Vec<ConversationListItem>,
    /// Message requests.
    pub requests: Vec<ConversationListItem>,
    /// The requests section is expanded.
    pub show_requests: bool,
    /// The search text.
    pub search: String,
    /// Messages matching the search.
    pub hits: Vec<SearchHit>,
    /// The open conversation.
    pub open: Option<Open>,
    /// An open dialog.
    pub dialog: Option<Dialog>,
    /// The own Session ID (for the QR code), once the client runs.
    pub own_id: Option<String>,
    /// The own display name.
    pub own_name: Option<String>,
    /// The latest network state.
    pub network: NetworkStatus,
    /// The last error of a list action.
    pub error: Option<String>,
    /// The last problem the client reported (`Update::Problem`), shown as a banner until
    /// dismissed or the network recovers.
    pub problem: Option<String>,
}

/// Main screen input.
#[derive(Debug, Clone)]
pub enum Message {
    /// Both lists arrived.
    ListsLoaded(Result<(Vec<ConversationListItem>, Vec<ConversationListItem>), String>),
    /// Open a conversation.
    Select(ConversationId),
    /// Show or hide the message requests.
    ToggleRequests,
    /// Accept a request.
    Accept(ConversationId),
    /// Decline a request.
    Decline(ConversationId),
    /// Decline and block.
    Block(ConversationId),
    /// A list action finished.
    ActionDone(Result<(), String>),
    /// The search text changed.
    SearchChanged(String),
    /// Search results for a query.
    SearchResults(String, Result<Vec<SearchHit>, String>),
    /// Open the new-conversation dialog.
    NewConversation,
    /// Open the own QR code.
    ShowMyQr,
    /// Open the settings.
    OpenSettings,
    /// Conversation input.
    Conversation(conversation::Message),
    /// Dialog input.
    Dialog(dialog::Message),
    /// Close the problem banner.
    DismissProblem,
}

/// What the main screen tells the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Show the settings.
    OpenSettings,
}

/// Loads both lists.
pub fn reload(client: &Client) -> Task<Message> {
    let client = client.clone();
    call(
        async move {
            let conversations = client.conversations().await?;
            let requests = client.message_requests().await?;
            Ok((conversations, requests))
        },
        Message::ListsLoaded,
    )
}

impl Main {
    fn item(&self, id: ConversationId) -> Option<&ConversationListItem> {
        self.conversations
            .iter()
            .chain(&self.requests)
            .find(|i| i.conversation.id == id)
    }

    /// Opens conversation `id` (from the lists).
    pub fn select(&mut self, id: ConversationId, client: Option<&Client>) -> Task<Message> {
        if self.open.as_ref().is_some_and(|o| o.id == id) {
            return Task::none();
        }
        let Some(item) = self.item(id) else {
            return Task::none();
        };
        let open = Open::new(
            id,
            item.conversation.peer,
            item.peer_name.clone(),
            item.conversation.is_request,
            &item.conversation.draft,
        );
        let Some(client) = client else {
            self.open = Some(open);
            return Task::none();
        };
        let load = open.load(client).map(Message::Conversation);
        self.open = Some(open);
        let read = {
            let client = client.clone();
            call(
                async move { client.mark_read(id).await },
                Message::ActionDone,
            )
        };
        Task::batch([
            load,
            read,
            iced::widget::operation::focus(conversation::COMPOSER_ID),
        ])
    }

    /// Opens the conversation `delta` places below (or above) the open one (Ctrl+Up/Down).
    pub fn step(&mut self, delta: isize, client: Option<&Client>) -> Task<Message> {
        let ids: Vec<ConversationId> = self
            .conversations
            .iter()
            .map(|i| i.conversation.id)
            .collect();
        if ids.is_empty() {
            return Task::none();
        }
        let current = self
            .open
            .as_ref()
            .and_then(|o| ids.iter().position(|id| *id == o.id));
        let next = match current {
            Some(i) => i.saturating_add_signed(delta).min(ids.len() - 1),
            None => 0,
        };
        match ids.get(next) {
            Some(id) => self.select(*id, client),
            None => Task::none(),
        }
    }

    /// Handles `message`.
    pub fn update(
        &mut self,
        message: Message,
        client: Option<&Client>,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::ListsLoaded(Ok((conversations, requests))) => {
                self.conversations = conversations;
                self.requests = requests;
                if let Some(open) = &mut self.open {
                    if let Some(item) = self
                        .conversations
                        .iter()
                        .chain(&self.requests)
                        .find(|i| i.conversation.id == open.id)
                    {
                        open.is_request = item.conversation.is_request;
                        open.name = item.peer_name.clone();
                    }
                }
            }
            Message::ListsLoaded(Err(e)) | Message::ActionDone(Err(e)) => self.error = Some(e),
            Message::ActionDone(Ok(())) => {}
            Message::Select(id) => return (self.select(id, client), None),
            Message::ToggleRequests => self.show_requests = !self.show_requests,
            Message::Accept(id) | Message::Decline(id) | Message::Block(id) => {
                let Some(client) = client else {
                    return (Task::none(), None);
                };
                let c = client.clone();
                let action = match message {
                    Message::Accept(_) => call(
                        async move { c.accept_request(id).await },
                        Message::ActionDone,
                    ),
                    Message::Decline(_) => call(
                        async move { c.decline_request(id, false).await },
                        Message::ActionDone,
                    ),
                    _ => call(
                        async move { c.decline_request(id, true).await },
                        Message::ActionDone,
                    ),
                };
                if !matches!(message, Message::Accept(_))
                    && self.open.as_ref().is_some_and(|o| o.id == id)
                {
                    self.open = None;
                }
                let client = client.clone();
                return (action.chain(reload(&client)), None);
            }
            Message::SearchChanged(query) => {
                self.search = query.clone();
                if query.trim().is_empty() {
                    self.hits.clear();
                    return (Task::none(), None);
                }
                if let Some(client) = client {
                    let client = client.clone();
                    let q = query.clone();
                    return (
                        call(
                            async move { client.search(q, SEARCH_LIMIT).await },
                            move |r| Message::SearchResults(query, r),
                        ),
                        None,
                    );
                }
            }
            Message::SearchResults(query, result) => {
                if query == self.search {
                    match result {
                        Ok(hits) => self.hits = hits,
                        Err(e) => self.error = Some(e),
                    }
                }
            }
            Message::NewConversation => {
                self.dialog = Some(Dialog::new_conversation());
                return (iced::widget::operation::focus(dialog::PEER_INPUT_ID), None);
            }
            Message::ShowMyQr => {
                if let Some(id) = &self.own_id {
                    self.dialog = Some(Dialog::my_qr(id.clone()));
                }
            }
            Message::OpenSettings => return (Task::none(), Some(Event::OpenSettings)),
            Message::DismissProblem => self.problem = None,
            Message::Conversation(message) => {
                let Some(open) = &mut self.open else {
                    return (Task::none(), None);
                };
                let (task, event) = open.update(message, client);
                let task = task.map(Message::Conversation);
                return match (event, client) {
                    (Some(conversation::Event::ListChanged), Some(client)) => {
                        (Task::batch([task, reload(client)]), None)
                    }
                    (Some(conversation::Event::EditNickname), Some(client)) => {
                        let (dialog, load) = Dialog::nickname(open.peer, open.title(), client);
                        self.dialog = Some(dialog);
                        (Task::batch([task, load.map(Message::Dialog)]), None)
                    }
                    _ => (task, None),
                };
            }
            Message::Dialog(message) => {
                let Some(dialog) = &mut self.dialog else {
                    return (Task::none(), None);
                };
                let (task, event) = dialog.update(message, client);
                let task = task.map(Message::Dialog);
                match event {
                    Some(dialog::Event::Close) => self.dialog = None,
                    Some(dialog::Event::NicknameSaved) => {
                        self.dialog = None;
                        if let Some(client) = client {
                            return (Task::batch([task, reload(client)]), None);
                        }
                    }
                    Some(dialog::Event::Open(id)) => {
                        self.dialog = None;
                        let Some(client) = client else {
                            return (task, None);
                        };
                        let client = client.clone();
                        let open = reload(&client).chain(Task::done(Message::Select(id)));
                        return (Task::batch([task, open]), None);
                    }
                    None => {}
                }
                return (task, None);
            }
        }
        (Task::none(), None)
    }

    /// Applies a client update; `focused` says whether the user sees the window.
    pub fn on_update(
        &mut self,
        update: &Update,
        client: Option<&Client>,
        focused: bool,
    ) -> Task<Message> {
        // Network state and problem reports need no client; everything else reloads through it.
        match update {
            Update::Network(status) => {
                if recovered(&self.network, status) {
                    self.problem = None;
                }
                self.network = status.clone();
                return Task::none();
            }
            Update::Problem(problem) => {
                self.problem = Some(problem.clone());
                return Task::none();
            }
            _ => {}
        }
        let Some(client) = client else {
            return Task::none();
        };
        match update {
            Update::MessageAdded {
                conversation,
                message,
            } => {
                let mut tasks = vec![reload(client)];
                if let Some(open) = self.open.as_mut().filter(|o| o.id == *conversation) {
                    open.upsert(message.clone());
                    if message.direction == Direction::Incoming {
                        open.peer_typing = false;
                        if focused {
                            let c = client.clone();
                            let id = *conversation;
                            tasks.push(call(
                                async move { c.mark_read(id).await },
                                Message::ActionDone,
                            ));
                        }
                    }
                    tasks.push(iced::widget::operation::snap_to_end(
                        conversation::MESSAGES_ID,
                    ));
                }
                Task::batch(tasks)
            }
            Update::MessageStatus {
                conversation,
                message,
                status,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == *conversation) {
                    open.set_status(*message, *status);
                }
                Task::none()
            }
            Update::MessageRead {
                conversation,
                message,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == *conversation) {
                    open.set_read(*message);
                }
                Task::none()
            }
            Update::MessageDeleted {
                conversation,
                message,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == *conversation) {
                    open.remove(*message);
                }
                reload(client)
            }
            Update::ConversationChanged { .. } | Update::RequestArrived { .. } => reload(client),
            Update::Typing {
                conversation,
                typing,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == *conversation) {
                    open.peer_typing = *typing;
                }
                Task::none()
            }
            Update::Network(_) | Update::Problem(_) => Task::none(),
        }
    }

    /// The display name of a conversation's peer, for notifications.
    pub fn peer_name(&self, id: ConversationId) -> Option<String> {
        self.item(id).map(list::item_name)
    }
}

fn healthy_paths(status: &NetworkStatus) -> usize {
    status
        .paths
        .iter()
        .filter(|p| p.state == PathState::Healthy)
        .count()
}

/// Whether the network came back between `old` and `new`: it went online, or a healthy path
/// was added (a failed one was rebuilt). Clears the problem banner.
pub fn recovered(old: &NetworkStatus, new: &NetworkStatus) -> bool {
    new.online && (!old.online || healthy_paths(new) > healthy_paths(old))
}

/// The main screen's view.
pub fn view<'a>(main: &'a Main, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let right: Element<'a, Message> = match &main.open {
        Some(open) => conversation::view(open, ctx).map(Message::Conversation),
        None => container(
            iced::widget::column![
                ctx.heading(ctx.tr("no-conversation-title")),
                ctx.muted(ctx.tr("no-conversation-hint")),
                ctx.primary(ctx.tr("new-conversation"), Some(Message::NewConversation)),
            ]
            .spacing(12)
            .align_x(iced::Center),
        )
        .center(Length::Fill)
        .into(),
    };
    let layout = row![
        list::strip(main, ctx),
        container(list::view(main, ctx))
            .width(Length::Fixed(320.0))
            .height(Length::Fill)
            .style(theme::panel(c)),
        container(text(""))
            .width(Length::Fixed(1.0))
            .height(Length::Fill)
            .style(theme::fill(c.border, c.border)),
        container(right)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(theme::fill(c.background, c.text)),
    ];
    match &main.dialog {
        Some(d) => modal(
            layout,
            dialog::view(d, ctx).map(Message::Dialog),
            Message::Dialog(dialog::Message::Close),
        ),
        None => layout.into(),
    }
}

//! The left strip (profile, new conversation, settings, network dot) and the conversation list
//! (search, message requests, conversations, search results).

use iced::widget::{button, column, container, row, scrollable, text, text_input, Column, Space};
use iced::{Alignment, Element, Length};

use crate::backend::{ConversationListItem, PathState, HIGHLIGHT_END, HIGHLIGHT_START};
use crate::theme::{self, Colors};
use crate::widget::{avatar, short_id, time, Ctx};

use super::{Main, Message, SEARCH_ID};

/// The name shown for a list item: display name or shortened Session ID.
pub fn item_name(item: &ConversationListItem) -> String {
    item.peer_name
        .clone()
        .unwrap_or_else(|| short_id(&item.conversation.peer.to_hex()))
}

/// The network indicator's colour: green when a path is healthy, orange while building, red
/// when offline.
pub fn path_color(main: &Main, c: Colors) -> iced::Color {
    if main
        .network
        .paths
        .iter()
        .any(|p| p.state == PathState::Healthy)
    {
        c.path_ok
    } else if main.network.online || !main.network.paths.is_empty() {
        c.path_building
    } else {
        c.path_error
    }
}

/// The narrow strip on the far left.
pub fn strip<'a>(main: &'a Main, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let me = main.own_name.clone().unwrap_or_default();
    let key = main.own_id.clone().unwrap_or_default();
    let icon = |label: &'static str, message: Message| {
        button(text(label).size(20).center())
            .width(Length::Fixed(44.0))
            .height(Length::Fixed(44.0))
            .style(theme::row_button(c, false))
            .on_press(message)
    };
    let dot = container(Space::new().width(10).height(10))
        .style(theme::circle(path_color(main, c), c.text));
    container(
        column![
            button(avatar::avatar(&me, &key, 40.0))
                .padding(0)
                .style(theme::link_button(c.text))
                .on_press(Message::ShowMyQr),
            icon("+", Message::NewConversation),
            icon("⚙", Message::OpenSettings),
            Space::new().height(Length::Fill),
            dot,
        ]
        .spacing(14)
        .align_x(Alignment::Center),
    )
    .padding([16, 10])
    .height(Length::Fill)
    .style(theme::fill(c.background, c.text))
    .into()
}

fn list_row<'a>(
    item: &'a ConversationListItem,
    selected: bool,
    ctx: Ctx<'a>,
) -> Element<'a, Message> {
    let c = ctx.c;
    let name = item_name(item);
    let conv = &item.conversation;
    let preview = if !conv.draft.is_empty() {
        ctx.i18n
            .tr_args("draft-preview", &[("text", one_line(&conv.draft))])
    } else {
        item.last_message
            .as_deref()
            .map(one_line)
            .unwrap_or_default()
    };
    let mut top = row![ctx.body(name.clone()).width(Length::Fill)].spacing(6);
    if conv.last_activity_ms > 0 {
        top = top.push(ctx.muted(time::list_time(conv.last_activity_ms, time::now_ms())));
    }
    let mut bottom = row![ctx.muted(preview).width(Length::Fill)].spacing(6);
    if conv.unread_count > 0 {
        bottom = bottom.push(
            container(
                text(conv.unread_count.to_string())
                    .size(11)
                    .color(c.on_accent),
            )
            .padding([1, 7])
            .style(theme::circle(c.accent, c.on_accent)),
        );
    }
    button(
        row![
            avatar::avatar(&name, &conv.peer.to_hex(), 40.0),
            column![top, bottom].spacing(3).width(Length::Fill),
        ]
        .spacing(12)
        .align_y(Alignment::Center),
    )
    .padding([10, 14])
    .width(Length::Fill)
    .style(theme::row_button(c, selected))
    .on_press(Message::Select(conv.id))
    .into()
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut out: String = line.chars().take(60).collect();
    if line.chars().count() > 60 || text.lines().nth(1).is_some() {
        out.push('…');
    }
    out
}

fn request_row<'a>(item: &'a ConversationListItem, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let id = item.conversation.id;
    let small = |label: String, message: Message| {
        button(ctx.muted(label).color(c.text))
            .padding([4, 10])
            .style(theme::secondary_button(c))
            .on_press(message)
    };
    column![
        list_row(item, false, ctx),
        row![
            small(ctx.tr("accept"), Message::Accept(id)),
            small(ctx.tr("decline"), Message::Decline(id)),
            button(ctx.muted(ctx.tr("block")).color(c.danger))
                .padding([4, 10])
                .style(theme::danger_button(c))
                .on_press(Message::Block(id)),
        ]
        .spacing(8)
        .padding([0, 14]),
    ]
    .spacing(4)
    .padding(iced::Padding::ZERO.bottom(8))
    .into()
}

/// The client's last problem report, with an × to close it.
fn problem_banner<'a>(problem: &'a str, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    container(
        row![
            ctx.muted(crate::describe::problem(problem, ctx.i18n))
                .color(c.danger)
                .width(Length::Fill),
            button(text("×").size(18).color(c.muted).center())
                .padding([0, 6])
                .style(theme::link_button(c.muted))
                .on_press(Message::DismissProblem),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    )
    .padding([8, 12])
    .width(Length::Fill)
    .style(theme::banner(c, c.danger))
    .into()
}

/// Plain text of a search snippet (the highlight marks removed).
pub fn snippet_text(snippet: &str) -> String {
    snippet.replace([HIGHLIGHT_START, HIGHLIGHT_END], "")
}

/// The conversation list.
pub fn view<'a>(main: &'a Main, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let selected = main.open.as_ref().map(|o| o.id);
    let search = text_input(&ctx.tr("search-placeholder"), &main.search)
        .id(SEARCH_ID)
        .on_input(Message::SearchChanged)
        .padding(10)
        .size(f32::from(ctx.text_size))
        .style(theme::input(c));
    let mut list = Column::new().width(Length::Fill);
    let query = main.search.trim().to_lowercase();
    if !main.requests.is_empty() && query.is_empty() {
        let banner = button(
            row![
                ctx.body(ctx.tr("message-requests")).width(Length::Fill),
                container(
                    text(main.requests.len().to_string())
                        .size(11)
                        .color(c.on_accent)
                )
                .padding([1, 7])
                .style(theme::circle(c.accent, c.on_accent)),
            ]
            .align_y(Alignment::Center),
        )
        .padding([12, 14])
        .width(Length::Fill)
        .style(theme::row_button(c, main.show_requests))
        .on_press(Message::ToggleRequests);
        list = list.push(banner);
        if main.show_requests {
            for item in &main.requests {
                list = list.push(request_row(item, ctx));
            }
        }
    }
    let matches = |item: &&ConversationListItem| {
        query.is_empty()
            || item_name(item).to_lowercase().contains(&query)
            || item.conversation.peer.to_hex().contains(&query)
    };
    let mut shown = 0;
    for item in main.conversations.iter().filter(matches) {
        list = list.push(list_row(item, selected == Some(item.conversation.id), ctx));
        shown += 1;
    }
    if shown == 0 && query.is_empty() && main.requests.is_empty() {
        list = list.push(container(ctx.muted(ctx.tr("no-conversations"))).padding(16));
    }
    if !query.is_empty() {
        list = list.push(container(ctx.muted(ctx.tr("search-messages"))).padding([10, 14]));
        if main.hits.is_empty() {
            list = list.push(container(ctx.muted(ctx.tr("search-no-results"))).padding([4, 14]));
        }
        for hit in &main.hits {
            let name = main
                .peer_name(hit.conversation_id)
                .unwrap_or_else(|| short_id(&hit.peer.to_hex()));
            list = list.push(
                button(
                    column![
                        row![
                            ctx.body(name).width(Length::Fill),
                            ctx.muted(time::list_time(hit.sent_at_ms, time::now_ms())),
                        ],
                        ctx.muted(snippet_text(&hit.snippet)),
                    ]
                    .spacing(2),
                )
                .padding([8, 14])
                .width(Length::Fill)
                .style(theme::row_button(c, false))
                .on_press(Message::Select(hit.conversation_id)),
            );
        }
    }
    let error = main
        .error
        .as_ref()
        .map(|e| container(ctx.muted(e.as_str()).color(c.danger)).padding([4, 14]));
    column![container(search).padding(12)]
        .push(
            main.problem
                .as_deref()
                .map(|p| container(problem_banner(p, ctx)).padding([0, 12])),
        )
        .push(scrollable(list).height(Length::Fill))
        .push(error)
        .into()
}

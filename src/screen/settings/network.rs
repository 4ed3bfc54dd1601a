//! The network page: the onion paths (three hops each, with their health) and the own swarm.

use iced::widget::{column, container, row, text, Column, Space};
use iced::{Alignment, Element, Length};

use crate::backend::{NetworkStatus, PathState, PollStats, SnodeInfo};
use crate::theme;
use crate::widget::{short_id, Ctx};

use super::Message;

fn node_line<'a>(label: String, node: &SnodeInfo, ctx: Ctx<'a>) -> Element<'a, Message> {
    row![
        ctx.body(label).width(Length::Fixed(110.0)),
        text(short_id(&node.ed25519_hex()))
            .font(iced::Font::MONOSPACE)
            .size(13),
        ctx.muted(format!("{}:{}", node.ip, node.port)),
    ]
    .spacing(12)
    .align_y(Alignment::Center)
    .into()
}

/// The page's content.
pub fn view<'a>(
    status: &'a NetworkStatus,
    stats: Option<&PollStats>,
    ctx: Ctx<'a>,
) -> Element<'a, Message> {
    let c = ctx.c;
    let mut page = Column::new().spacing(14);
    let online = if status.online {
        ctx.tr("network-online")
    } else {
        ctx.tr("network-offline")
    };
    page = page.push(ctx.body(online));
    page = page.push(
        ctx.muted(
            ctx.i18n
                .tr_args("network-pool", &[("count", status.pool_size.to_string())]),
        ),
    );
    if status.paths.is_empty() {
        page = page.push(ctx.muted(ctx.tr("network-no-paths")));
    }
    for (index, path) in status.paths.iter().enumerate() {
        let (color, state) = match path.state {
            PathState::Healthy => (c.path_ok, ctx.tr("path-healthy")),
            PathState::Building => (c.path_building, ctx.tr("path-building")),
            PathState::Rebuilding => (c.path_building, ctx.tr("path-rebuilding")),
        };
        let mut card = Column::new().spacing(8);
        card = card.push(
            row![
                container(Space::new().width(12).height(12)).style(theme::circle(color, c.text)),
                ctx.body(
                    ctx.i18n
                        .tr_args("path-title", &[("number", (index + 1).to_string())])
                ),
                ctx.muted(state).color(color),
            ]
            .spacing(10)
            .align_y(Alignment::Center),
        );
        card = card.push(ctx.muted(ctx.tr("path-you")));
        for (hop, node) in path.hops.iter().enumerate() {
            let label = ctx
                .i18n
                .tr_args("path-hop", &[("number", (hop + 1).to_string())]);
            card = card.push(node_line(label, node, ctx));
        }
        page = page.push(
            container(card)
                .padding(16)
                .width(Length::Fill)
                .style(theme::card(c)),
        );
    }
    page = page.push(
        ctx.heading(ctx.tr("network-swarm"))
            .size(f32::from(ctx.text_size) + 4.0),
    );
    if status.own_swarm.is_empty() {
        page = page.push(ctx.muted(ctx.tr("network-swarm-unknown")));
    }
    let mut swarm = Column::new().spacing(6);
    for (index, node) in status.own_swarm.iter().enumerate() {
        swarm = swarm.push(node_line(format!("#{}", index + 1), node, ctx));
    }
    page = page.push(swarm);
    page = page.push(ctx.muted(ctx.i18n.tr_args(
        "network-clock-offset",
        &[("ms", status.clock_offset_ms.to_string())],
    )));
    if let Some(stats) = stats {
        // Data in the swarm that was not a message for us, and config messages that did not
        // open or merge: skipped, never applied.
        page = page.push(ctx.muted(ctx.i18n.tr_args(
            "network-skipped",
            &[
                (
                    "messages",
                    (stats.garbage + stats.undecryptable + stats.tampered).to_string(),
                ),
                ("configs", stats.configs_skipped.to_string()),
            ],
        )));
    }
    column![page].into()
}

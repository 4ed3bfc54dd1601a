//! Round avatars with the first letter of the name, coloured from the Session ID.

use iced::widget::{container, text};
use iced::{color, Color, Element, Length};

use crate::theme;

/// Avatar colours (Session's accent choices).
const PALETTE: [Color; 7] = [
    color!(0x31F196),
    color!(0x57C9FA),
    color!(0xFAD657),
    color!(0xFF95EF),
    color!(0xC993FF),
    color!(0xFCB159),
    color!(0xFF9C8E),
];

/// The letter shown for `name` (or the ID when there is no name).
pub fn initial(name: &str) -> String {
    name.trim()
        .trim_start_matches("05")
        .chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

/// The colour for `key` (a Session ID), stable across runs.
pub fn color_for(key: &str) -> Color {
    let hash = key
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE
        .get(hash as usize % PALETTE.len())
        .copied()
        .unwrap_or(theme::ACCENT_GREEN)
}

/// An avatar of `size` pixels.
pub fn avatar<'a, M: 'a>(name: &str, key: &str, size: f32) -> Element<'a, M> {
    container(
        text(initial(name))
            .size(size * 0.45)
            .color(color!(0x000000)),
    )
    .width(Length::Fixed(size))
    .height(Length::Fixed(size))
    .center(Length::Fixed(size))
    .style(theme::circle(color_for(key), color!(0x000000)))
    .into()
}

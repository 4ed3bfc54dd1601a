//! Reusable view pieces.

pub mod avatar;
pub mod modal;
pub mod time;

use iced::widget::{button, text, Button, Text};
use iced::Element;

use crate::i18n::I18n;
use crate::theme::{self, Colors};

/// What every view needs besides its own state: translations, colours and the text size.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Translations.
    pub i18n: &'a I18n,
    /// Colours of the current theme.
    pub c: Colors,
    /// Body text size.
    pub text_size: u16,
}

impl<'a> Ctx<'a> {
    /// Translated text.
    pub fn tr(&self, key: &str) -> String {
        self.i18n.tr(key)
    }

    /// Body text.
    pub fn body<'b>(&self, content: impl text::IntoFragment<'b>) -> Text<'b> {
        text(content).size(f32::from(self.text_size))
    }

    /// Secondary (muted) text, a little smaller.
    pub fn muted<'b>(&self, content: impl text::IntoFragment<'b>) -> Text<'b> {
        text(content)
            .size(f32::from(self.text_size) - 2.0)
            .color(self.c.muted)
    }

    /// A heading.
    pub fn heading<'b>(&self, content: impl text::IntoFragment<'b>) -> Text<'b> {
        text(content).size(f32::from(self.text_size) + 8.0)
    }

    /// A primary (accent) button with a translated label.
    pub fn primary<'b, M: Clone + 'b>(&self, label: String, on_press: Option<M>) -> Button<'b, M> {
        button(self.body(label).center())
            .padding([8, 20])
            .style(theme::primary_button(self.c))
            .on_press_maybe(on_press)
    }

    /// A secondary (outlined) button.
    pub fn secondary<'b, M: Clone + 'b>(
        &self,
        label: String,
        on_press: Option<M>,
    ) -> Button<'b, M> {
        button(self.body(label).center())
            .padding([8, 20])
            .style(theme::secondary_button(self.c))
            .on_press_maybe(on_press)
    }

    /// A destructive button.
    pub fn danger<'b, M: Clone + 'b>(&self, label: String, on_press: Option<M>) -> Button<'b, M> {
        button(self.body(label).center())
            .padding([8, 20])
            .style(theme::danger_button(self.c))
            .on_press_maybe(on_press)
    }

    /// A small text link.
    pub fn link<'b, M: Clone + 'b>(&self, label: String, on_press: M) -> Element<'b, M> {
        button(self.muted(label))
            .padding([2, 6])
            .style(theme::link_button(self.c.muted))
            .on_press(on_press)
            .into()
    }
}

/// Shortens a Session ID for one-line display: `0512ab…89cd`.
pub fn short_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 14 {
        return id.to_owned();
    }
    let head: String = chars.iter().take(6).collect();
    let tail: String = chars.iter().skip(chars.len() - 6).collect();
    format!("{head}…{tail}")
}

//! Session's colours (see LOOK.md): classic dark and classic light with the green accent, and
//! the style functions the views use.

use iced::widget::{button, container, text_editor, text_input};
use iced::{border, color, Background, Border, Color, Shadow, Theme};

/// Which of the two themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Classic dark.
    #[default]
    Dark,
    /// Classic light.
    Light,
}

/// The colours one theme uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colors {
    /// Window background (conversation pane).
    pub background: Color,
    /// Side panels: the left strip, the conversation list, header and composer.
    pub panel: Color,
    /// Inputs and hovered rows.
    pub raised: Color,
    /// Borders and separators.
    pub border: Color,
    /// Main text.
    pub text: Color,
    /// Secondary text (times, previews).
    pub muted: Color,
    /// The accent (sent bubbles, primary buttons, unread badges).
    pub accent: Color,
    /// Text on the accent.
    pub on_accent: Color,
    /// Received bubbles.
    pub received: Color,
    /// Errors and destructive actions.
    pub danger: Color,
    /// Warnings (recovery phrase).
    pub warning: Color,
    /// Onion path: healthy.
    pub path_ok: Color,
    /// Onion path: connecting.
    pub path_building: Color,
    /// Onion path: error.
    pub path_error: Color,
}

/// Session's default accent.
pub const ACCENT_GREEN: Color = color!(0x31F196);

impl Colors {
    /// The colours of `mode`.
    pub fn of(mode: Mode) -> Colors {
        let common = |c: Colors| c;
        match mode {
            Mode::Dark => common(Colors {
                background: color!(0x000000),
                panel: color!(0x1B1B1B),
                raised: color!(0x2D2D2D),
                border: color!(0x414141),
                text: color!(0xFFFFFF),
                muted: color!(0xA1A2A1),
                accent: ACCENT_GREEN,
                on_accent: color!(0x000000),
                received: color!(0x2D2D2D),
                danger: color!(0xFF3A3A),
                warning: color!(0xFCB159),
                path_ok: color!(0x31F196),
                path_building: color!(0xFCB159),
                path_error: color!(0xEA5545),
            }),
            Mode::Light => common(Colors {
                background: color!(0xFFFFFF),
                panel: color!(0xF9F9F9),
                raised: color!(0xF0F0F0),
                border: color!(0xDFDFDF),
                text: color!(0x000000),
                muted: color!(0x6D6D6D),
                accent: ACCENT_GREEN,
                on_accent: color!(0x000000),
                received: color!(0xF0F0F0),
                danger: color!(0xE12D19),
                warning: color!(0xA64B00),
                path_ok: color!(0x31F196),
                path_building: color!(0xFCB159),
                path_error: color!(0xEA5545),
            }),
        }
    }

    /// The iced theme built from these colours (for widgets without a custom style).
    pub fn theme(&self, mode: Mode) -> Theme {
        let palette = iced::theme::Palette {
            background: self.background,
            text: self.text,
            primary: self.accent,
            success: self.path_ok,
            warning: self.warning,
            danger: self.danger,
        };
        let name = match mode {
            Mode::Dark => "Session dark",
            Mode::Light => "Session light",
        };
        Theme::custom(name, palette)
    }
}

/// A plain filled container.
pub fn fill(background: Color, text: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(background)),
        text_color: Some(text),
        ..container::Style::default()
    }
}

/// A panel with a border on the right (left strip, conversation list).
pub fn panel(c: Colors) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(c.panel)),
        text_color: Some(c.text),
        border: Border {
            color: c.border,
            width: 0.0,
            radius: 0.0.into(),
        },
        ..container::Style::default()
    }
}

/// A rounded card (dialogs, settings groups).
pub fn card(c: Colors) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(c.panel)),
        text_color: Some(c.text),
        border: Border {
            color: c.border,
            width: 1.0,
            radius: 12.0.into(),
        },
        shadow: Shadow::default(),
        ..container::Style::default()
    }
}

/// A warning banner: the panel colour with a rounded border in `accent` (e.g. the danger
/// colour for a problem report).
pub fn banner(c: Colors, accent: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(c.raised)),
        text_color: Some(c.text),
        border: Border {
            color: accent,
            width: 1.0,
            radius: 8.0.into(),
        },
        ..container::Style::default()
    }
}

/// A message bubble.
pub fn bubble(background: Color, text: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(background)),
        text_color: Some(text),
        border: border::rounded(16),
        ..container::Style::default()
    }
}

/// A circle (avatars, badges).
pub fn circle(background: Color, text: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(background)),
        text_color: Some(text),
        border: border::rounded(999),
        ..container::Style::default()
    }
}

/// The accent button (primary actions).
pub fn primary_button(c: Colors) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let background = match status {
            button::Status::Hovered | button::Status::Pressed => Color {
                a: 0.85,
                ..c.accent
            },
            button::Status::Disabled => Color { a: 0.4, ..c.accent },
            button::Status::Active => c.accent,
        };
        button::Style {
            background: Some(Background::Color(background)),
            text_color: c.on_accent,
            border: border::rounded(999),
            ..button::Style::default()
        }
    }
}

/// An outlined button (secondary actions).
pub fn secondary_button(c: Colors) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let background = match status {
            button::Status::Hovered | button::Status::Pressed => Some(Background::Color(c.raised)),
            _ => None,
        };
        let text_color = match status {
            button::Status::Disabled => c.muted,
            _ => c.text,
        };
        button::Style {
            background,
            text_color,
            border: Border {
                color: c.border,
                width: 1.0,
                radius: 999.0.into(),
            },
            ..button::Style::default()
        }
    }
}

/// A destructive action.
pub fn danger_button(c: Colors) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let background = match status {
            button::Status::Hovered | button::Status::Pressed => Some(Background::Color(c.raised)),
            _ => None,
        };
        button::Style {
            background,
            text_color: c.danger,
            border: Border {
                color: c.danger,
                width: 1.0,
                radius: 999.0.into(),
            },
            ..button::Style::default()
        }
    }
}

/// A flat list row (conversations, settings pages); `selected` rows are raised.
pub fn row_button(c: Colors, selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let background = match (selected, status) {
            (true, _) => Some(Background::Color(c.raised)),
            (false, button::Status::Hovered | button::Status::Pressed) => {
                Some(Background::Color(Color { a: 0.6, ..c.raised }))
            }
            _ => None,
        };
        button::Style {
            background,
            text_color: c.text,
            border: Border {
                color: if selected {
                    c.accent
                } else {
                    Color::TRANSPARENT
                },
                width: 0.0,
                radius: 0.0.into(),
            },
            ..button::Style::default()
        }
    }
}

/// A small text-only button (copy, retry, delete under a bubble).
pub fn link_button(color: Color) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| button::Style {
        background: None,
        text_color: match status {
            button::Status::Hovered | button::Status::Pressed => Color { a: 0.75, ..color },
            _ => color,
        },
        ..button::Style::default()
    }
}

/// Text inputs.
pub fn input(c: Colors) -> impl Fn(&Theme, text_input::Status) -> text_input::Style {
    move |_, status| text_input::Style {
        background: Background::Color(c.raised),
        border: Border {
            color: match status {
                text_input::Status::Focused { .. } => c.accent,
                _ => c.border,
            },
            width: 1.0,
            radius: 10.0.into(),
        },
        icon: c.muted,
        placeholder: c.muted,
        value: c.text,
        selection: Color { a: 0.4, ..c.accent },
    }
}

/// The composer and multi-line inputs.
pub fn editor(c: Colors) -> impl Fn(&Theme, text_editor::Status) -> text_editor::Style {
    move |_, status| text_editor::Style {
        background: Background::Color(c.raised),
        border: Border {
            color: match status {
                text_editor::Status::Focused { .. } => c.accent,
                _ => c.border,
            },
            width: 1.0,
            radius: 18.0.into(),
        },
        placeholder: c.muted,
        value: c.text,
        selection: Color { a: 0.4, ..c.accent },
    }
}

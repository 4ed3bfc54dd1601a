//! A dialog over the screen: the content centred on a dimmed backdrop; clicking the backdrop
//! closes it.

use iced::widget::{center, container, mouse_area, opaque, stack};
use iced::{Color, Element};

/// `content` over `base`; `on_close` when the backdrop is clicked.
pub fn modal<'a, M: Clone + 'a>(
    base: impl Into<Element<'a, M>>,
    content: impl Into<Element<'a, M>>,
    on_close: M,
) -> Element<'a, M> {
    stack![
        base.into(),
        opaque(
            mouse_area(center(opaque(content)).style(|_| container::Style {
                background: Some(Color::from_rgba(0.0, 0.0, 0.0, 0.6).into()),
                ..container::Style::default()
            }))
            .on_press(on_close)
        )
    ]
    .into()
}

//! The Session desktop app (iced): onboarding, conversations, settings.
//!
//! The app never does cryptography or SQL itself: everything goes through
//! [`session_client::Client`]. Layout follows the halloy pattern: a root [`app::Session`]
//! with one `screen/` module per screen and reusable pieces under `widget/`; each component
//! has its own `Message` and an `update` returning `(Task<Message>, Option<Event>)`, and
//! `view` functions take state by reference.

pub mod app;
pub mod backend;
pub mod cli;
pub mod describe;
pub mod devnet;
pub mod i18n;
pub mod link;
pub mod notify;
pub mod prefs;
pub mod qr;
pub mod screen;
pub mod task_util;
pub mod theme;
pub mod widget;

pub use app::Session;

//! Dialogs of the main screen: start a new conversation (paste a Session ID or scan a QR code
//! from an image file or the clipboard), show the own QR code (save it as PNG), and set a
//! contact's nickname.

use std::path::PathBuf;

use iced::widget::{column, container, image, row, text, text_input};
use iced::{Alignment, Element, Length, Task};

use session_client::protocol::identity::IdentityError;

use crate::backend::{Client, ConversationId, SessionId};
use crate::describe::{qr_error, session_id_error};
use crate::i18n::I18n;
use crate::qr::{self, QrError};
use crate::task_util::call;
use crate::theme;
use crate::widget::Ctx;

/// Id of the Session ID input.
pub const PEER_INPUT_ID: &str = "peer-id";
/// Id of the nickname input.
pub const NICKNAME_INPUT_ID: &str = "nickname";

/// What went wrong in a dialog; translated when drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    /// The typed or scanned text is not a Session ID.
    #[error(transparent)]
    SessionId(#[from] IdentityError),
    /// A QR code could not be read or saved.
    #[error(transparent)]
    Qr(#[from] QrError),
    /// The clipboard holds no image to scan.
    #[error("the clipboard holds no image; copy a QR code picture first")]
    NoClipboardImage,
    /// Anything else (the client's or the system's text).
    #[error("{0}")]
    Other(String),
}

impl DialogError {
    /// The error in the user's language.
    pub fn describe(&self, i18n: &I18n) -> String {
        match self {
            DialogError::SessionId(e) => session_id_error(e, i18n),
            DialogError::Qr(e) => qr_error(e, i18n),
            DialogError::NoClipboardImage => i18n.tr("qr-error-clipboard-empty"),
            DialogError::Other(text) => text.clone(),
        }
    }
}

/// An open dialog.
#[derive(Debug)]
pub enum Dialog {
    /// Start a conversation.
    NewConversation {
        /// The typed or scanned Session ID.
        input: String,
        /// What is wrong with it, or a scan failure.
        error: Option<DialogError>,
    },
    /// The own QR code.
    MyQr {
        /// The own Session ID.
        session_id: String,
        /// The rendered code.
        handle: Option<image::Handle>,
        /// Where it was saved, or why not.
        saved: Option<Result<PathBuf, DialogError>>,
    },
    /// Our nickname for a contact (synced to the account's other devices).
    Nickname {
        /// The contact.
        peer: SessionId,
        /// The name shown for them now.
        shown: String,
        /// The nickname being typed.
        input: String,
        /// Why saving failed.
        error: Option<String>,
    },
}

/// Dialog input.
#[derive(Debug, Clone)]
pub enum Message {
    /// The Session ID input changed.
    IdChanged(String),
    /// Start the conversation.
    Start,
    /// Scan a QR code from an image file.
    ScanFile,
    /// Scan a QR code from the clipboard's image.
    ScanClipboard,
    /// A scan finished (`None`: cancelled).
    Scanned(Result<Option<String>, DialogError>),
    /// The conversation was created.
    Started(Result<ConversationId, String>),
    /// Save the own QR code as PNG.
    SaveQr,
    /// Copy the own Session ID.
    CopyId,
    /// Saving finished (`None`: cancelled).
    Saved(Result<Option<PathBuf>, DialogError>),
    /// The current nickname arrived.
    NicknameLoaded(Result<Option<String>, String>),
    /// The nickname input changed.
    NicknameChanged(String),
    /// Save the nickname (empty: clear it).
    SaveNickname,
    /// Saving the nickname finished.
    NicknameSaved(Result<(), String>),
    /// Close the dialog.
    Close,
}

/// What the dialog tells the main screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Close it.
    Close,
    /// Open this conversation (and reload the list).
    Open(ConversationId),
    /// A nickname was saved (reload the list; closes the dialog).
    NicknameSaved,
}

/// Checks a typed Session ID; `Err` says what is wrong.
pub fn parse_peer(input: &str) -> Result<SessionId, IdentityError> {
    input.trim().parse::<SessionId>()
}

impl Dialog {
    /// The new-conversation dialog.
    pub fn new_conversation() -> Dialog {
        Dialog::NewConversation {
            input: String::new(),
            error: None,
        }
    }

    /// The own QR code dialog.
    pub fn my_qr(session_id: String) -> Dialog {
        let handle = qr::encode(&session_id)
            .ok()
            .map(|code| image::Handle::from_rgba(code.width, code.height, code.pixels));
        Dialog::MyQr {
            session_id,
            handle,
            saved: None,
        }
    }

    /// The nickname dialog for `peer` (shown now as `shown`) and the task that reads the
    /// current nickname.
    pub fn nickname(peer: SessionId, shown: String, client: &Client) -> (Dialog, Task<Message>) {
        let client = client.clone();
        let load = call(
            async move {
                let contacts = client.all_contacts().await?;
                Ok(contacts
                    .into_iter()
                    .find(|c| c.session_id == peer)
                    .and_then(|c| c.nickname))
            },
            Message::NicknameLoaded,
        );
        let dialog = Dialog::Nickname {
            peer,
            shown,
            input: String::new(),
            error: None,
        };
        (
            dialog,
            Task::batch([load, iced::widget::operation::focus(NICKNAME_INPUT_ID)]),
        )
    }

    /// Handles `message`.
    pub fn update(
        &mut self,
        message: Message,
        client: Option<&Client>,
    ) -> (Task<Message>, Option<Event>) {
        match (self, message) {
            (_, Message::Close) => return (Task::none(), Some(Event::Close)),
            (Dialog::NewConversation { input, error }, Message::IdChanged(text)) => {
                *error = (!text.trim().is_empty())
                    .then(|| parse_peer(&text).err().map(DialogError::from))
                    .flatten();
                *input = text;
            }
            (Dialog::NewConversation { input, error }, Message::Start) => {
                match (parse_peer(input), client) {
                    (Ok(peer), Some(client)) => {
                        let client = client.clone();
                        return (
                            call(
                                async move { client.start_conversation(peer).await },
                                Message::Started,
                            ),
                            None,
                        );
                    }
                    (Ok(_), None) => {}
                    (Err(e), _) => *error = Some(e.into()),
                }
            }
            (Dialog::NewConversation { .. }, Message::ScanFile) => {
                return (Task::perform(scan_file(), Message::Scanned), None);
            }
            (Dialog::NewConversation { .. }, Message::ScanClipboard) => {
                return (Task::perform(scan_clipboard(), Message::Scanned), None);
            }
            (Dialog::NewConversation { input, error }, Message::Scanned(result)) => match result {
                Ok(Some(text)) => {
                    *error = parse_peer(&text).err().map(DialogError::from);
                    *input = text.trim().to_owned();
                }
                Ok(None) => {}
                Err(e) => *error = Some(e),
            },
            (Dialog::NewConversation { error, .. }, Message::Started(result)) => match result {
                Ok(id) => return (Task::none(), Some(Event::Open(id))),
                Err(e) => *error = Some(DialogError::Other(e)),
            },
            (Dialog::MyQr { session_id, .. }, Message::CopyId) => {
                return (iced::clipboard::write(session_id.clone()), None);
            }
            (Dialog::MyQr { session_id, .. }, Message::SaveQr) => {
                let id = session_id.clone();
                return (Task::perform(save_qr(id), Message::Saved), None);
            }
            (Dialog::Nickname { input, .. }, Message::NicknameLoaded(Ok(Some(nickname))))
                if input.is_empty() =>
            {
                *input = nickname;
            }
            (Dialog::Nickname { error, .. }, Message::NicknameLoaded(Err(e))) => *error = Some(e),
            (Dialog::Nickname { input, .. }, Message::NicknameChanged(text)) => {
                *input = text.chars().take(100).collect();
            }
            (Dialog::Nickname { peer, input, .. }, Message::SaveNickname) => {
                if let Some(client) = client {
                    let (client, peer) = (client.clone(), *peer);
                    let nickname = Some(input.trim().to_owned()).filter(|n| !n.is_empty());
                    return (
                        call(
                            async move { client.set_nickname(peer, nickname).await },
                            Message::NicknameSaved,
                        ),
                        None,
                    );
                }
            }
            (Dialog::Nickname { error, .. }, Message::NicknameSaved(result)) => match result {
                Ok(()) => return (Task::none(), Some(Event::NicknameSaved)),
                Err(e) => *error = Some(e),
            },
            (Dialog::MyQr { saved, .. }, Message::Saved(result)) => match result {
                Ok(Some(path)) => *saved = Some(Ok(path)),
                Ok(None) => {}
                Err(e) => *saved = Some(Err(e)),
            },
            _ => {}
        }
        (Task::none(), None)
    }
}

/// A failed background job (the thread panicked or was cancelled).
fn join_error(error: &tokio::task::JoinError) -> DialogError {
    DialogError::Other(error.to_string())
}

async fn scan_file() -> Result<Option<String>, DialogError> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .add_filter("PNG", &["png"])
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    let bytes = file.read().await;
    let text = tokio::task::spawn_blocking(move || qr::decode_image_bytes(&bytes))
        .await
        .map_err(|e| join_error(&e))??;
    Ok(Some(text))
}

async fn scan_clipboard() -> Result<Option<String>, DialogError> {
    tokio::task::spawn_blocking(|| {
        let mut clipboard =
            arboard::Clipboard::new().map_err(|e| DialogError::Other(e.to_string()))?;
        let image = clipboard.get_image().map_err(|e| match e {
            arboard::Error::ContentNotAvailable => DialogError::NoClipboardImage,
            other => DialogError::Other(other.to_string()),
        })?;
        Ok(Some(qr::decode_rgba(
            image.width,
            image.height,
            &image.bytes,
        )?))
    })
    .await
    .map_err(|e| join_error(&e))?
}

async fn save_qr(session_id: String) -> Result<Option<PathBuf>, DialogError> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .add_filter("PNG", &["png"])
        .set_file_name("session-id.png")
        .save_file()
        .await
    else {
        return Ok(None);
    };
    let path = file.path().to_path_buf();
    let target = path.clone();
    tokio::task::spawn_blocking(move || qr::save_png(&session_id, &target))
        .await
        .map_err(|e| join_error(&e))??;
    Ok(Some(path))
}

/// The dialog's view.
pub fn view<'a>(dialog: &'a Dialog, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let content: Element<'a, Message> = match dialog {
        Dialog::NewConversation { input, error } => {
            let valid = parse_peer(input).is_ok();
            column![
                ctx.heading(ctx.tr("new-conversation")),
                ctx.muted(ctx.tr("new-conversation-hint")),
                text_input(&ctx.tr("session-id-placeholder"), input)
                    .id(PEER_INPUT_ID)
                    .on_input(Message::IdChanged)
                    .on_submit(Message::Start)
                    .padding(12)
                    .size(f32::from(ctx.text_size))
                    .style(theme::input(c)),
            ]
            .push(
                error
                    .as_ref()
                    .map(|e| ctx.body(e.describe(ctx.i18n)).color(c.danger)),
            )
            .push(
                row![
                    ctx.secondary(ctx.tr("scan-qr-file"), Some(Message::ScanFile)),
                    ctx.secondary(ctx.tr("scan-qr-clipboard"), Some(Message::ScanClipboard)),
                ]
                .spacing(10),
            )
            .push(
                row![
                    ctx.secondary(ctx.tr("cancel"), Some(Message::Close)),
                    ctx.primary(
                        ctx.tr("start-conversation"),
                        valid.then_some(Message::Start)
                    ),
                ]
                .spacing(10),
            )
            .spacing(14)
            .into()
        }
        Dialog::MyQr {
            session_id,
            handle,
            saved,
        } => {
            let code: Element<'a, Message> = match handle {
                Some(handle) => image(handle.clone())
                    .width(Length::Fixed(360.0))
                    .height(Length::Fixed(360.0))
                    .into(),
                None => ctx.body(ctx.tr("qr-failed")).into(),
            };
            column![
                ctx.heading(ctx.tr("my-qr-title")),
                container(code)
                    .padding(8)
                    .style(theme::fill(iced::Color::WHITE, iced::Color::BLACK)),
                text(session_id.as_str())
                    .size(13)
                    .font(iced::Font::MONOSPACE)
                    .color(c.text),
            ]
            .push(saved.as_ref().map(|saved| {
                match saved {
                    Ok(path) => ctx.muted(
                        ctx.i18n
                            .tr_args("qr-saved", &[("path", path.display().to_string())]),
                    ),
                    Err(e) => ctx.muted(e.describe(ctx.i18n)).color(c.danger),
                }
            }))
            .push(
                row![
                    ctx.secondary(ctx.tr("close"), Some(Message::Close)),
                    ctx.secondary(ctx.tr("copy-id"), Some(Message::CopyId)),
                    ctx.primary(ctx.tr("save-png"), Some(Message::SaveQr)),
                ]
                .spacing(10),
            )
            .spacing(14)
            .align_x(Alignment::Center)
            .into()
        }
        Dialog::Nickname {
            shown,
            input,
            error,
            ..
        } => column![
            ctx.heading(
                ctx.i18n
                    .tr_args("nickname-title", &[("name", shown.clone())])
            ),
            ctx.muted(ctx.tr("nickname-hint")),
            text_input(&ctx.tr("nickname-placeholder"), input)
                .id(NICKNAME_INPUT_ID)
                .on_input(Message::NicknameChanged)
                .on_submit(Message::SaveNickname)
                .padding(12)
                .size(f32::from(ctx.text_size))
                .style(theme::input(c)),
        ]
        .push(error.as_ref().map(|e| ctx.body(e.as_str()).color(c.danger)))
        .push(
            row![
                ctx.secondary(ctx.tr("cancel"), Some(Message::Close)),
                ctx.primary(ctx.tr("save"), Some(Message::SaveNickname)),
            ]
            .spacing(10),
        )
        .spacing(14)
        .into(),
    };
    container(content)
        .padding(28)
        .max_width(620)
        .style(theme::card(c))
        .into()
}

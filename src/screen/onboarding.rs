//! First run: create a new account (show its Session ID and recovery phrase, then ask for a
//! display name) or restore one from its recovery phrase, checked as the user types.

use iced::widget::{column, container, row, text, text_input, Space};
use iced::{Element, Length, Task};
use session_client::protocol::mnemonic::{self, MnemonicError};
use session_client::{Account, DataDir};
use zeroize::Zeroizing;

use crate::theme;
use crate::widget::Ctx;

/// Words in a recovery phrase.
pub const PHRASE_WORDS: usize = 13;

/// Where the onboarding is.
#[derive(Debug)]
pub enum Step {
    /// Create or restore?
    Welcome,
    /// A new account: its ID and phrase.
    Created {
        /// The new Session ID.
        session_id: String,
        /// The recovery phrase.
        phrase: Zeroizing<String>,
        /// The phrase was copied.
        copied: bool,
    },
    /// Asking for a display name.
    DisplayName {
        /// What is typed.
        name: String,
    },
    /// Typing the recovery phrase.
    Restore {
        /// What is typed.
        phrase: Zeroizing<String>,
        /// What is wrong with it.
        check: PhraseCheck,
    },
    /// The restored account.
    Restored {
        /// Its Session ID.
        session_id: String,
    },
}

/// The state of a typed recovery phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseCheck {
    /// Nothing typed.
    Empty,
    /// The last word is still being typed; these words would fit.
    Typing {
        /// Words typed so far.
        count: usize,
        /// List words starting with the typed letters.
        suggestions: Vec<&'static str>,
    },
    /// A word that is not in the list.
    UnknownWord {
        /// 1-based position.
        position: usize,
        /// The word as typed.
        word: String,
        /// The nearest list words.
        suggestions: Vec<&'static str>,
    },
    /// Not 13 words (yet).
    WrongCount {
        /// Words found.
        found: usize,
    },
    /// All words exist but the checksum word does not match.
    Checksum,
    /// Three words that cannot go together.
    Triplet {
        /// 1-based position of the first of them.
        position: usize,
    },
    /// A valid phrase.
    Valid,
}

/// Checks a typed phrase (parsing only; the seed it decodes to is dropped at once).
pub fn check_phrase(text: &str) -> PhraseCheck {
    let count = text.split_whitespace().count();
    if count == 0 {
        return PhraseCheck::Empty;
    }
    match mnemonic::phrase_to_seed(text) {
        Ok(_) => PhraseCheck::Valid,
        Err(MnemonicError::UnknownWord {
            position,
            word,
            suggestions,
        }) => {
            let in_progress = position == count && !text.ends_with(char::is_whitespace);
            let typed = word.to_lowercase();
            let prefixes: Vec<&'static str> = suggestions
                .iter()
                .copied()
                .filter(|s| s.starts_with(&typed))
                .collect();
            if in_progress && !prefixes.is_empty() {
                PhraseCheck::Typing {
                    count,
                    suggestions: prefixes,
                }
            } else {
                PhraseCheck::UnknownWord {
                    position,
                    word,
                    suggestions,
                }
            }
        }
        Err(MnemonicError::WrongWordCount { found }) => PhraseCheck::WrongCount { found },
        Err(MnemonicError::BadChecksum) => PhraseCheck::Checksum,
        Err(MnemonicError::InvalidWordTriplet { position }) => PhraseCheck::Triplet { position },
        Err(_) => PhraseCheck::WrongCount { found: count },
    }
}

/// The onboarding state.
#[derive(Debug)]
pub struct Onboarding {
    /// The current step.
    pub step: Step,
    dir: DataDir,
    error: Option<String>,
}

/// Onboarding input.
#[derive(Debug, Clone)]
pub enum Message {
    /// "Create account".
    Create,
    /// "I have an account".
    StartRestore,
    /// Copy the phrase.
    CopyPhrase,
    /// The phrase is noted; ask for the name.
    PhraseNoted,
    /// The display name input changed.
    NameChanged(String),
    /// Done with the name.
    Finish,
    /// The restore input changed.
    PhraseChanged(String),
    /// Restore the typed phrase.
    SubmitRestore,
    /// Continue after a restore.
    Continue,
    /// Back to the start.
    Back,
}

/// What the onboarding tells the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The account exists now; start the client (and set the display name, if given).
    Done {
        /// The chosen display name.
        display_name: Option<String>,
        /// The account was restored from its phrase: its profile and contacts are still on
        /// the network.
        restored: bool,
    },
}

impl Onboarding {
    /// Onboarding for an account in `dir`.
    pub fn new(dir: DataDir) -> Onboarding {
        Onboarding {
            step: Step::Welcome,
            dir,
            error: None,
        }
    }

    /// Handles `message`.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        self.error = None;
        match message {
            Message::Create => match Account::create(self.dir.clone()) {
                Ok(account) => {
                    self.step = Step::Created {
                        session_id: account.session_id().to_hex(),
                        phrase: account.recovery_phrase(),
                        copied: false,
                    };
                }
                Err(error) => self.error = Some(error.to_string()),
            },
            Message::StartRestore => {
                self.step = Step::Restore {
                    phrase: Zeroizing::new(String::new()),
                    check: PhraseCheck::Empty,
                };
                return (iced::widget::operation::focus("phrase"), None);
            }
            Message::CopyPhrase => {
                if let Step::Created { phrase, copied, .. } = &mut self.step {
                    *copied = true;
                    return (iced::clipboard::write(phrase.to_string()), None);
                }
            }
            Message::PhraseNoted => {
                self.step = Step::DisplayName {
                    name: String::new(),
                };
                return (iced::widget::operation::focus("display-name"), None);
            }
            Message::NameChanged(new) => {
                if let Step::DisplayName { name } = &mut self.step {
                    *name = new.chars().take(100).collect();
                }
            }
            Message::Finish => {
                if let Step::DisplayName { name } = &self.step {
                    let name = name.trim();
                    let display_name = (!name.is_empty()).then(|| name.to_owned());
                    return (
                        Task::none(),
                        Some(Event::Done {
                            display_name,
                            restored: false,
                        }),
                    );
                }
            }
            Message::PhraseChanged(text) => {
                if let Step::Restore { phrase, check } = &mut self.step {
                    *check = check_phrase(&text);
                    *phrase = Zeroizing::new(text);
                }
            }
            Message::SubmitRestore => {
                if let Step::Restore { phrase, check } = &self.step {
                    if *check != PhraseCheck::Valid {
                        return (Task::none(), None);
                    }
                    match Account::restore(self.dir.clone(), phrase) {
                        Ok(account) => {
                            self.step = Step::Restored {
                                session_id: account.session_id().to_hex(),
                            };
                        }
                        Err(error) => self.error = Some(error.to_string()),
                    }
                }
            }
            Message::Continue => {
                return (
                    Task::none(),
                    Some(Event::Done {
                        display_name: None,
                        restored: true,
                    }),
                );
            }
            Message::Back => self.step = Step::Welcome,
        }
        (Task::none(), None)
    }
}

/// What is wrong with the phrase, in words.
pub fn describe_check(check: &PhraseCheck, ctx: &Ctx<'_>) -> String {
    let i18n = ctx.i18n;
    match check {
        PhraseCheck::Empty => i18n.tr("restore-hint"),
        PhraseCheck::Typing { count, suggestions } => i18n.tr_args(
            "restore-typing",
            &[
                ("count", count.to_string()),
                ("total", PHRASE_WORDS.to_string()),
                (
                    "suggestions",
                    suggestions
                        .iter()
                        .take(5)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        PhraseCheck::UnknownWord {
            position,
            word,
            suggestions,
        } => i18n.tr_args(
            "restore-unknown-word",
            &[
                ("position", position.to_string()),
                ("word", word.clone()),
                ("suggestions", suggestions.join(", ")),
            ],
        ),
        PhraseCheck::WrongCount { found } => i18n.tr_args(
            "restore-word-count",
            &[
                ("found", found.to_string()),
                ("total", PHRASE_WORDS.to_string()),
            ],
        ),
        PhraseCheck::Checksum => i18n.tr("restore-checksum"),
        PhraseCheck::Triplet { position } => i18n.tr_args(
            "restore-triplet",
            &[
                ("first", position.to_string()),
                ("last", (position + 2).to_string()),
            ],
        ),
        PhraseCheck::Valid => i18n.tr("restore-valid"),
    }
}

/// The onboarding view.
pub fn view<'a>(state: &'a Onboarding, ctx: Ctx<'a>) -> Element<'a, Message> {
    let c = ctx.c;
    let body: Element<'a, Message> = match &state.step {
        Step::Welcome => column![
            ctx.heading(ctx.tr("app-name")).size(36).color(c.accent),
            ctx.body(ctx.tr("welcome-tagline")),
            Space::new().height(24),
            ctx.primary(ctx.tr("create-account"), Some(Message::Create))
                .width(Length::Fixed(280.0)),
            ctx.secondary(ctx.tr("restore-account"), Some(Message::StartRestore))
                .width(Length::Fixed(280.0)),
        ]
        .spacing(12)
        .align_x(iced::Center)
        .into(),
        Step::Created {
            session_id,
            phrase,
            copied,
        } => column![
            ctx.heading(ctx.tr("created-title")),
            ctx.muted(ctx.tr("your-session-id")),
            container(
                text(session_id.as_str())
                    .size(15)
                    .font(iced::Font::MONOSPACE)
            )
            .padding(12)
            .style(theme::card(c)),
            ctx.muted(ctx.tr("your-recovery-phrase")),
            container(ctx.body(phrase.as_str()).font(iced::Font::MONOSPACE))
                .padding(12)
                .width(Length::Fill)
                .style(theme::card(c)),
            container(ctx.body(ctx.tr("phrase-warning")).color(c.warning))
                .padding(12)
                .width(Length::Fill)
                .style(theme::card(c)),
            row![
                ctx.secondary(
                    if *copied {
                        ctx.tr("copied")
                    } else {
                        ctx.tr("copy-phrase")
                    },
                    Some(Message::CopyPhrase)
                ),
                ctx.primary(ctx.tr("phrase-noted"), Some(Message::PhraseNoted)),
            ]
            .spacing(12),
        ]
        .spacing(12)
        .into(),
        Step::DisplayName { name } => column![
            ctx.heading(ctx.tr("display-name-title")),
            ctx.muted(ctx.tr("display-name-hint")),
            text_input(&ctx.tr("display-name-placeholder"), name)
                .id("display-name")
                .on_input(Message::NameChanged)
                .on_submit(Message::Finish)
                .padding(12)
                .size(f32::from(ctx.text_size))
                .style(theme::input(c)),
            ctx.primary(ctx.tr("continue"), Some(Message::Finish)),
        ]
        .spacing(12)
        .into(),
        Step::Restore { phrase, check } => {
            let color = match check {
                PhraseCheck::Valid => c.accent,
                PhraseCheck::Empty | PhraseCheck::Typing { .. } => c.muted,
                PhraseCheck::WrongCount { found } if *found < PHRASE_WORDS => c.muted,
                _ => c.danger,
            };
            column![
                ctx.heading(ctx.tr("restore-title")),
                ctx.muted(ctx.tr("restore-hint")),
                text_input(&ctx.tr("restore-placeholder"), phrase.as_str())
                    .id("phrase")
                    .on_input(Message::PhraseChanged)
                    .on_submit(Message::SubmitRestore)
                    .padding(12)
                    .size(f32::from(ctx.text_size))
                    .style(theme::input(c)),
                ctx.body(describe_check(check, &ctx)).color(color),
                row![
                    ctx.secondary(ctx.tr("back"), Some(Message::Back)),
                    ctx.primary(
                        ctx.tr("restore-button"),
                        (*check == PhraseCheck::Valid).then_some(Message::SubmitRestore)
                    ),
                ]
                .spacing(12),
            ]
            .spacing(12)
            .into()
        }
        Step::Restored { session_id } => column![
            ctx.heading(ctx.tr("restored-title")),
            ctx.muted(ctx.tr("your-session-id")),
            container(
                text(session_id.as_str())
                    .size(15)
                    .font(iced::Font::MONOSPACE)
            )
            .padding(12)
            .style(theme::card(c)),
            ctx.primary(ctx.tr("continue"), Some(Message::Continue)),
        ]
        .spacing(12)
        .into(),
    };
    let error = state
        .error
        .as_ref()
        .map(|e| ctx.body(e.as_str()).color(c.danger));
    container(
        container(column![body].push(error).spacing(12))
            .padding(32)
            .max_width(720)
            .style(theme::card(c)),
    )
    .center(Length::Fill)
    .padding(24)
    .style(theme::fill(c.background, c.text))
    .into()
}

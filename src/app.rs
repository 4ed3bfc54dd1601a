//! The root of the app: which screen is shown, the client handle once it runs, the theme and
//! translations, notifications and keyboard shortcuts.

use iced::keyboard::{self, key, Key};
use iced::widget::{column, container};
use iced::{event, window, Element, Length, Subscription, Task, Theme};

use crate::backend::{Client, Direction, Settings, Update};
use crate::cli::AppConfig;
use crate::i18n::I18n;
use crate::link;
use crate::notify;
use crate::prefs::Prefs;
use crate::screen::dialog;
use crate::screen::main::{self as main_screen, Main};
use crate::screen::onboarding::{self, Onboarding};
use crate::screen::restore;
use crate::screen::settings::{self, Page};
use crate::theme::{self, Colors};
use crate::widget::{short_id, Ctx};

/// The screen shown.
#[derive(Debug)]
pub enum Screen {
    /// Create or restore an account.
    Onboarding(Onboarding),
    /// Conversations.
    Main,
    /// Settings.
    Settings(settings::State),
}

/// Whether the client runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Starting (or waiting for the network).
    Connecting,
    /// The last start failed; retrying.
    Failed(String),
    /// Running.
    Ready,
}

/// A keyboard shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Ctrl+N.
    NewConversation,
    /// Ctrl+F.
    Search,
    /// Ctrl+Up.
    Previous,
    /// Ctrl+Down.
    Next,
    /// Esc.
    Escape,
}

/// The app's input.
#[derive(Debug, Clone)]
pub enum Message {
    /// Onboarding input.
    Onboarding(onboarding::Message),
    /// Main screen input.
    Main(main_screen::Message),
    /// Settings input.
    Settings(settings::Message),
    /// The restore banner's input.
    Restore(restore::Message),
    /// From the client subscription.
    Link(link::Event),
    /// The own name and the privacy settings arrived.
    ClientInfo(Result<(Option<String>, Settings), String>),
    /// The window gained or lost focus.
    Focus(bool),
    /// A keyboard shortcut.
    Shortcut(Shortcut),
    /// Nothing to do (finished side effects).
    Ignore,
}

/// The app.
#[derive(Debug)]
pub struct Session {
    /// Paths and network.
    pub config: AppConfig,
    /// Theme, text size, language.
    pub prefs: Prefs,
    /// Translations.
    pub i18n: I18n,
    /// The screen shown.
    pub screen: Screen,
    /// The main screen's state (kept while the settings are open).
    pub main: Main,
    /// The client, once it runs.
    pub client: Option<Client>,
    /// Whether it runs.
    pub status: Status,
    /// The privacy settings (a copy of the client's).
    pub privacy: Settings,
    /// The window has the focus.
    pub focused: bool,
    /// Show desktop notifications (off in tests).
    pub notifications: bool,
    /// After a restore: the profile and contacts arriving (a banner until closed).
    pub restore: Option<restore::Progress>,
    pending_name: Option<String>,
}

impl Session {
    /// The app for `config`: onboarding when the profile has no account yet.
    pub fn new(config: AppConfig) -> Session {
        let prefs = Prefs::load(&config.prefs_path());
        let i18n = I18n::new(prefs.effective_language());
        let dir = config.account_dir();
        let screen = if dir.has_account() {
            Screen::Main
        } else {
            Screen::Onboarding(Onboarding::new(dir))
        };
        Session {
            config,
            prefs,
            i18n,
            screen,
            main: Main::default(),
            client: None,
            status: Status::Connecting,
            privacy: Settings::default(),
            focused: true,
            notifications: true,
            restore: None,
            pending_name: None,
        }
    }

    /// The colours of the current theme.
    pub fn colors(&self) -> Colors {
        Colors::of(self.prefs.mode)
    }

    /// The window title.
    pub fn title(&self) -> String {
        if self.config.profile == "default" {
            "Session".to_owned()
        } else {
            format!("Session — {}", self.config.profile)
        }
    }

    /// The iced theme.
    pub fn theme(&self) -> Theme {
        self.colors().theme(self.prefs.mode)
    }

    /// Applies new preferences: saves them and reloads the translations if needed.
    pub fn set_prefs(&mut self, prefs: Prefs) {
        let language = prefs.effective_language();
        if language != self.i18n.language() {
            self.i18n = I18n::new(language);
        }
        self.prefs = prefs;
        if let Err(error) = prefs.save(&self.config.prefs_path()) {
            tracing::warn!(%error, "cannot save the app preferences");
        }
    }

    /// Handles `message`.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Onboarding(message) => {
                let Screen::Onboarding(onboarding) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = onboarding.update(message);
                if let Some(onboarding::Event::Done {
                    display_name,
                    restored,
                }) = event
                {
                    self.pending_name = display_name;
                    self.restore = restored.then_some(restore::Progress::Fetching);
                    self.screen = Screen::Main;
                    self.status = Status::Connecting;
                }
                task.map(Message::Onboarding)
            }
            Message::Link(event) => self.on_link(event),
            Message::ClientInfo(Ok((name, settings))) => {
                if self.pending_name.is_none() {
                    self.main.own_name = name;
                }
                self.privacy = settings;
                Task::none()
            }
            Message::ClientInfo(Err(error)) => {
                self.main.error = Some(error);
                Task::none()
            }
            Message::Main(message) => {
                let (task, event) = self.main.update(message, self.client.as_ref());
                if let Some(main_screen::Event::OpenSettings) = event {
                    self.screen = Screen::Settings(settings::State::new(
                        Page::Profile,
                        self.main.own_name.clone(),
                    ));
                    // The name may have changed on another device: show the client's.
                    if let Some(client) = &self.client {
                        return Task::batch([
                            task.map(Message::Main),
                            settings::load_name(client).map(Message::Settings),
                        ]);
                    }
                }
                task.map(Message::Main)
            }
            Message::Settings(message) => {
                let Screen::Settings(state) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) =
                    state.update(message, self.prefs, &mut self.privacy, self.client.as_ref());
                match event {
                    Some(settings::Event::Close) => self.screen = Screen::Main,
                    Some(settings::Event::Prefs(prefs)) => self.set_prefs(prefs),
                    Some(settings::Event::NameSaved(name)) => {
                        self.main.own_name = (!name.is_empty()).then_some(name);
                    }
                    Some(settings::Event::NameLoaded(name)) => self.main.own_name = name,
                    None => {}
                }
                task.map(Message::Settings)
            }
            Message::Restore(message) => {
                if let Some(progress) = &self.restore {
                    if let restore::Message::Synced(Ok((Some(name), _))) = &message {
                        self.main.own_name = Some(name.clone());
                    }
                    self.restore = progress.update(message);
                }
                Task::none()
            }
            Message::Focus(focused) => {
                self.focused = focused;
                if let Some(client) = &self.client {
                    client.set_active(focused);
                    if let (true, Some(open)) = (focused, &self.main.open) {
                        let client = client.clone();
                        let id = open.id;
                        return Task::perform(async move { client.mark_read(id).await }, |_| {
                            Message::Ignore
                        });
                    }
                }
                Task::none()
            }
            Message::Shortcut(shortcut) => self.on_shortcut(shortcut),
            Message::Ignore => Task::none(),
        }
    }

    fn on_link(&mut self, event: link::Event) -> Task<Message> {
        match event {
            link::Event::Started(client) => self.client_started(client),
            link::Event::Failed(error) => {
                self.status = Status::Failed(error);
                Task::none()
            }
            link::Event::Lagged => match &self.client {
                Some(client) => main_screen::reload(client).map(Message::Main),
                None => Task::none(),
            },
            link::Event::Update(update) => {
                log_update(&update);
                let notify = self.notification_for(&update);
                let task = self
                    .main
                    .on_update(&update, self.client.as_ref(), self.focused)
                    .map(Message::Main);
                match notify {
                    Some(note) => Task::batch([
                        task,
                        Task::perform(notify::show(note), |()| Message::Ignore),
                    ]),
                    None => task,
                }
            }
        }
    }

    /// Takes the running client: loads the lists, the own name and settings.
    pub fn client_started(&mut self, client: Client) -> Task<Message> {
        tracing::debug!("client started");
        self.status = Status::Ready;
        self.main.own_id = Some(client.session_id().to_hex());
        self.main.network = client.network_status();
        client.set_active(self.focused);
        let mut tasks = vec![main_screen::reload(&client).map(Message::Main)];
        if let Some(name) = self.pending_name.take() {
            self.main.own_name = Some(name.clone());
            let c = client.clone();
            tasks.push(Task::perform(
                async move { c.set_display_name(Some(name)).await },
                |_| Message::Ignore,
            ));
        }
        if self.restore == Some(restore::Progress::Fetching) {
            tasks.push(restore::first_sync(&client).map(Message::Restore));
        }
        let c = client.clone();
        tasks.push(Task::perform(
            async move {
                let name = c.display_name().await.map_err(|e| e.to_string())?;
                let settings = c.settings().await.map_err(|e| e.to_string())?;
                Ok((name, settings))
            },
            Message::ClientInfo,
        ));
        if let Some(open) = self.main.open.take() {
            // Opened before the client ran: load it now.
            let id = open.id;
            self.client = Some(client);
            return Task::batch(tasks)
                .chain(Task::done(Message::Main(main_screen::Message::Select(id))));
        }
        self.client = Some(client);
        Task::batch(tasks)
    }

    /// The notification for an update, if one is due (incoming message, window unfocused).
    pub fn notification_for(&self, update: &Update) -> Option<notify::Note> {
        let Update::MessageAdded {
            conversation,
            message,
        } = update
        else {
            return None;
        };
        if self.focused || !self.notifications || message.direction != Direction::Incoming {
            return None;
        }
        let name = self
            .main
            .peer_name(*conversation)
            .unwrap_or_else(|| short_id(&message.sender.to_hex()));
        Some(notify::compose(
            self.privacy.notification_content,
            &name,
            &message.body,
            "Session",
            &self.i18n.tr("notification-new-message"),
        ))
    }

    fn on_shortcut(&mut self, shortcut: Shortcut) -> Task<Message> {
        if !matches!(self.screen, Screen::Main) {
            if let (Shortcut::Escape, Screen::Settings(_)) = (shortcut, &self.screen) {
                self.screen = Screen::Main;
            }
            return Task::none();
        }
        let client = self.client.as_ref();
        let task = match shortcut {
            Shortcut::NewConversation => {
                self.main
                    .update(main_screen::Message::NewConversation, client)
                    .0
            }
            Shortcut::Search => {
                self.main.dialog = None;
                iced::widget::operation::focus(main_screen::SEARCH_ID)
            }
            Shortcut::Previous => self.main.step(-1, client),
            Shortcut::Next => self.main.step(1, client),
            Shortcut::Escape => {
                if self.main.dialog.is_some() {
                    self.main
                        .update(main_screen::Message::Dialog(dialog::Message::Close), client)
                        .0
                } else {
                    Task::none()
                }
            }
        };
        task.map(Message::Main)
    }

    /// The client subscription (once an account exists), window focus and shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let keys = event::listen_raw(|event, _status, _window| match event {
            iced::Event::Window(window::Event::Focused) => Some(Message::Focus(true)),
            iced::Event::Window(window::Event::Unfocused) => Some(Message::Focus(false)),
            iced::Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) => {
                shortcut(&key, modifiers).map(Message::Shortcut)
            }
            _ => None,
        });
        match self.screen {
            Screen::Onboarding(_) => keys,
            _ => Subscription::batch([keys, link::subscription(&self.config).map(Message::Link)]),
        }
    }

    /// The window's content.
    pub fn view(&self) -> Element<'_, Message> {
        let ctx = Ctx {
            i18n: &self.i18n,
            c: self.colors(),
            text_size: self.prefs.text_size,
        };
        let c = ctx.c;
        let content: Element<'_, Message> = match &self.screen {
            Screen::Onboarding(state) => onboarding::view(state, ctx).map(Message::Onboarding),
            Screen::Main => main_screen::view(&self.main, ctx).map(Message::Main),
            Screen::Settings(state) => settings::view(
                state,
                settings::Data {
                    prefs: self.prefs,
                    privacy: self.privacy,
                    own_id: self.main.own_id.as_deref(),
                    network: &self.main.network,
                },
                ctx,
            )
            .map(Message::Settings),
        };
        let banner = match (&self.screen, &self.status) {
            (Screen::Onboarding(_), _) | (_, Status::Ready) => None,
            (_, Status::Connecting) => Some((ctx.tr("connecting"), c.warning)),
            (_, Status::Failed(error)) => Some((error.clone(), c.danger)),
        };
        let banner = banner.map(|(text, color)| {
            container(ctx.body(text).color(color))
                .padding([6, 16])
                .width(Length::Fill)
                .style(theme::fill(c.panel, color))
        });
        let restore_banner = match (&self.screen, &self.restore) {
            (Screen::Main, Some(progress)) => {
                Some(restore::banner(progress, ctx).map(Message::Restore))
            }
            _ => None,
        };
        container(column![].push(banner).push(restore_banner).push(content))
            .width(Length::Fill)
            .height(Length::Fill)
            .style(theme::fill(c.background, c.text))
            .into()
    }
}

/// Logs what happened, never the content, at debug level (scripts like `scripts/gui-e2e.sh`
/// wait for these lines).
fn log_update(update: &Update) {
    match update {
        Update::MessageAdded {
            conversation,
            message,
        } => {
            tracing::debug!(conversation = conversation.0, direction = ?message.direction, "message added");
        }
        Update::RequestArrived { conversation } => {
            tracing::debug!(conversation = conversation.0, "message request arrived");
        }
        Update::MessageStatus { status, .. } => tracing::debug!(?status, "message status"),
        _ => {}
    }
}

/// The shortcut for a key press, if any.
pub fn shortcut(key: &Key, modifiers: keyboard::Modifiers) -> Option<Shortcut> {
    match key {
        Key::Named(key::Named::Escape) => Some(Shortcut::Escape),
        Key::Named(key::Named::ArrowUp) if modifiers.command() => Some(Shortcut::Previous),
        Key::Named(key::Named::ArrowDown) if modifiers.command() => Some(Shortcut::Next),
        Key::Character(c) if modifiers.command() && c.as_str() == "n" => {
            Some(Shortcut::NewConversation)
        }
        Key::Character(c) if modifiers.command() && c.as_str() == "f" => Some(Shortcut::Search),
        _ => None,
    }
}

/// Runs the app.
pub fn run(config: AppConfig) -> anyhow::Result<()> {
    iced::application(
        move || Session::new(config.clone()),
        Session::update,
        Session::view,
    )
    .title(Session::title)
    .subscription(Session::subscription)
    .theme(Session::theme)
    .window_size((1180.0, 760.0))
    .run()?;
    Ok(())
}

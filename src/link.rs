//! The one long-lived subscription: makes sure the network answers (starting the local devnet
//! if needed), starts the [`Client`] for the profile's account, hands it to the UI and then
//! streams its updates.

use std::time::Duration;

use iced::futures::channel::mpsc;
use iced::futures::{SinkExt, Stream};
use iced::Subscription;
use session_client::Account;
use tokio::sync::broadcast::error::RecvError;

use crate::backend::{Client, ClientConfig, Update};
use crate::cli::AppConfig;
use crate::devnet;

/// Wait before trying again after a failed start.
const RETRY_AFTER: Duration = Duration::from_secs(3);

/// What the subscription reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// The client runs; commands go through this handle.
    Started(Client),
    /// Starting failed (shown to the user); the subscription tries again.
    Failed(String),
    /// An update from the client.
    Update(Update),
    /// Updates were missed: reload everything shown.
    Lagged,
}

/// The subscription for `config`'s account (start it only once the account exists).
pub fn subscription(config: &AppConfig) -> Subscription<Event> {
    Subscription::run_with(config.clone(), connect)
}

fn connect(config: &AppConfig) -> impl Stream<Item = Event> + use<> {
    let config = config.clone();
    iced::stream::channel(64, async move |mut out: mpsc::Sender<Event>| loop {
        if let Err(error) =
            devnet::ensure(&config.seed_url, config.start_devnet, &config.devnet_dir()).await
        {
            let _ = out.send(Event::Failed(error.to_string())).await;
            tokio::time::sleep(RETRY_AFTER).await;
            continue;
        }
        let account = match Account::load(config.account_dir()) {
            Ok(account) => account,
            Err(error) => {
                let _ = out.send(Event::Failed(error.to_string())).await;
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        };
        let client = match Client::start(account, ClientConfig::devnet(&config.seed_url)).await {
            Ok(client) => client,
            Err(error) => {
                let _ = out.send(Event::Failed(error.to_string())).await;
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        };
        forward(client, &mut out).await;
        tokio::time::sleep(RETRY_AFTER).await;
    })
}

/// Hands `client` to the UI and forwards its updates until it stops.
pub async fn forward(client: Client, out: &mut mpsc::Sender<Event>) {
    // Subscribe first so nothing between the start and the first receive is missed.
    let mut updates = client.updates();
    if out.send(Event::Started(client)).await.is_err() {
        return;
    }
    loop {
        let event = match updates.recv().await {
            Ok(update) => Event::Update(update),
            Err(RecvError::Lagged(_)) => Event::Lagged,
            Err(RecvError::Closed) => return,
        };
        if out.send(event).await.is_err() {
            return;
        }
    }
}

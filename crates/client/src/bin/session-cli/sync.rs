//! Config sync on the command line: `account restore` (what came back), `account name`,
//! `contacts` and `sync`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;
use session_client::store::Contact;
use session_client::{Account, Client, DataDir};

use super::{open_store, print_line, start_client};

/// How long `account restore` and `account name` wait for the network at most.
const NETWORK_WAIT: Duration = Duration::from_secs(60);

/// After a restore: fetches the account's configs and prints what came back (the name and how
/// many contacts). Without a network the account is still restored; `sync` fetches them later.
pub async fn report_restore(dir: DataDir, seed: &str) -> Result<()> {
    let client = start_client(dir, seed).await?;
    let fetched = tokio::time::timeout(NETWORK_WAIT, client.sync_now()).await;
    let result = async {
        match fetched {
            Ok(Ok(_)) => {
                if let Some(name) = client.display_name().await? {
                    print_line(&format!("Display name: {name}"))?;
                }
                let contacts = client.all_contacts().await?.len();
                print_line(&format!("Contacts restored: {contacts}"))?;
                print_line(
                    "Messages from the last 14 days arrive with `receive`; older history \
                     stayed on the old device.",
                )
            }
            Ok(Err(error)) => print_line(&format!(
                "The network could not be reached ({error}); run `session-cli sync` to fetch \
                 the display name and contacts."
            )),
            Err(_) => print_line(
                "The network did not answer in time; run `session-cli sync` to fetch the \
                 display name and contacts.",
            ),
        }
    }
    .await;
    client.shutdown().await;
    result
}

/// Sets the display name and sends it to the account's other devices. Without a network the
/// name is saved all the same and goes out with the next `sync` (or any command that syncs).
pub async fn account_name(dir: DataDir, seed: &str, name: &str) -> Result<()> {
    let client = start_client(dir, seed).await?;
    let name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
    let result = async {
        client.set_display_name(name).await?;
        let pending = match tokio::time::timeout(NETWORK_WAIT, client.sync_now()).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(error)) => error.to_string(),
            Err(_) => "the network did not answer in time".to_owned(),
        };
        print_line(&format!(
            "Saved. It reaches your other devices with the next `session-cli sync` ({pending})."
        ))
    }
    .await;
    client.shutdown().await;
    result
}

/// Prints every contact as a JSON line.
pub fn contacts(dir: DataDir) -> Result<()> {
    let account = Account::load(dir)?;
    let store = open_store(&account)?;
    for contact in store.all_contacts()? {
        print_line(&contact_json(&contact).to_string())?;
    }
    Ok(())
}

fn contact_json(c: &Contact) -> serde_json::Value {
    json!({
        "session_id": c.session_id.to_hex(),
        "name": c.name,
        "nickname": c.nickname,
        "approved": c.approved,
        "approved_me": c.approved_me,
        "blocked": c.blocked,
    })
}

/// What `sync` compares before and after.
#[derive(PartialEq)]
struct Snapshot {
    name: Option<String>,
    contacts: BTreeMap<String, serde_json::Value>,
}

async fn snapshot(client: &Client) -> Result<Snapshot> {
    Ok(Snapshot {
        name: client.display_name().await?,
        contacts: client
            .all_contacts()
            .await?
            .iter()
            .map(|c| (c.session_id.to_hex(), contact_json(c)))
            .collect(),
    })
}

/// Polls (configs included), pushes local changes, and prints what changed as JSON lines;
/// with `wait`, keeps doing so for that many seconds.
pub async fn sync(dir: DataDir, seed: &str, wait: Option<u64>) -> Result<()> {
    let client = start_client(dir, seed).await?;
    let result = async {
        let deadline = Instant::now() + Duration::from_secs(wait.unwrap_or(0));
        let mut before = snapshot(&client).await?;
        loop {
            client.sync_now().await?;
            let after = snapshot(&client).await?;
            if after.name != before.name {
                print_line(&json!({ "display_name": after.name }).to_string())?;
            }
            for (id, contact) in &after.contacts {
                if before.contacts.get(id) != Some(contact) {
                    print_line(&json!({ "contact": contact }).to_string())?;
                }
            }
            before = after;
            if Instant::now() >= deadline {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500).min(deadline - Instant::now())).await;
        }
    }
    .await;
    client.shutdown().await;
    result
}

//! Config sync between devices of one account, on a real devnet with real SQLite files: the
//! display name, contacts (approved, blocked, nickname) made on one device appear on another
//! running device, and a restore from the recovery phrase into a third data directory brings
//! them back; edits made on two devices while one was offline merge without loss.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{new_account, start_client, start_net, wait_until};
use session_client::protocol::identity::SessionId;
use session_client::store::Contact;
use session_client::{Account, Client, DataDir};

const WAIT: Duration = Duration::from_secs(60);

/// A second device of `account`: the same phrase restored into a new data directory.
fn second_device(account: &Account) -> (tempfile::TempDir, Account) {
    let dir = tempfile::tempdir().unwrap();
    let restored = Account::restore(
        DataDir::new(dir.path().join("data")),
        account.recovery_phrase().as_str(),
    )
    .unwrap();
    (dir, restored)
}

fn someone() -> SessionId {
    let (_, account) = new_account();
    account.session_id()
}

async fn contact(client: &Client, id: SessionId) -> Option<Contact> {
    client
        .all_contacts()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.session_id == id)
}

/// Waits until `client` (polling) has the contact and it satisfies `check`.
async fn wait_contact(
    client: &Client,
    id: SessionId,
    what: &str,
    check: impl Fn(&Contact) -> bool,
) {
    wait_until(what, WAIT, || async {
        client.poll_now().await.ok()?;
        contact(client, id).await.filter(|c| check(c)).map(|_| ())
    })
    .await;
}

async fn wait_name(client: &Client, name: &str) {
    wait_until(&format!("the display name {name:?}"), WAIT, || async {
        client.poll_now().await.ok()?;
        (client.display_name().await.unwrap().as_deref() == Some(name)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_running_devices_and_a_restore_share_name_and_contacts() {
    let net = start_net().await;
    let (a_dir, account) = new_account();
    let (_b, second) = second_device(&account);
    let first = start_client(&net, account).await;
    let second = start_client(&net, second).await;
    let (friend, pest) = (someone(), someone());

    // Device one: a name, a contact with a nickname, a blocked stranger.
    first.set_display_name(Some("Alice".into())).await.unwrap();
    first.start_conversation(friend).await.unwrap();
    first
        .set_nickname(friend, Some("Bestie".into()))
        .await
        .unwrap();
    first.block(pest).await.unwrap();

    // Device two, running meanwhile, gets all of it.
    wait_name(&second, "Alice").await;
    wait_contact(&second, friend, "the friend, approved, nicknamed", |c| {
        c.approved && c.nickname.as_deref() == Some("Bestie")
    })
    .await;
    wait_contact(&second, pest, "the blocked stranger", |c| c.blocked).await;
    // The approved contact has a conversation on the second device too.
    let conversations = second.conversations().await.unwrap();
    assert!(conversations.iter().any(|c| c.conversation.peer == friend));

    // A change on device two goes back to device one.
    second
        .set_display_name(Some("Alice B.".into()))
        .await
        .unwrap();
    second.unblock(pest).await.unwrap();
    wait_name(&first, "Alice B.").await;
    wait_contact(&first, pest, "the stranger unblocked", |c| !c.blocked).await;

    // A restore into a third directory brings everything back.
    let (_c, third) = second_device(&load(&a_dir));
    let third = start_client(&net, third).await;
    wait_name(&third, "Alice B.").await;
    wait_contact(&third, friend, "the friend after restore", |c| {
        c.approved && c.nickname.as_deref() == Some("Bestie")
    })
    .await;
    wait_contact(&third, pest, "the stranger after restore", |c| !c.blocked).await;
    assert!(third.synced_contact_count() >= 2);

    first.shutdown().await;
    second.shutdown().await;
    third.shutdown().await;
    net.stop().await;
}

fn load(dir: &tempfile::TempDir) -> Account {
    client_support::load_account(dir.path())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn offline_edits_on_two_devices_merge() {
    let net = start_net().await;
    let (a_dir, account) = new_account();
    let (b_dir, second) = second_device(&account);
    let (one, two, three) = (someone(), someone(), someone());

    // Both devices know contact `one`.
    let first = start_client(&net, account).await;
    first.start_conversation(one).await.unwrap();
    first.sync_now().await.unwrap();
    let second = start_client(&net, second).await;
    wait_contact(&second, one, "the first contact", |c| c.approved).await;

    // Device two goes offline; each device adds a contact of its own meanwhile.
    second.shutdown().await;
    drop(second);
    first.start_conversation(two).await.unwrap();
    first.sync_now().await.unwrap();
    let first_account = load(&a_dir);
    first.shutdown().await;
    drop(first);

    // Device two, back, adds its own contact (before or after its first poll has merged
    // device one's change: either way both survive).
    let second = start_client(&net, load(&b_dir)).await;
    second.start_conversation(three).await.unwrap();
    second.sync_now().await.unwrap();
    for id in [one, two, three] {
        wait_contact(&second, id, "every contact on device two", |c| c.approved).await;
    }

    // Device one comes back and ends with all three as well: nothing was lost.
    let first = start_client(&net, first_account).await;
    for id in [one, two, three] {
        wait_contact(&first, id, "every contact on device one", |c| c.approved).await;
    }
    first.shutdown().await;
    second.shutdown().await;
    net.stop().await;
}

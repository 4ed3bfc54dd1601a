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

/// Config messages that do not open, do not parse or are not ours are skipped and counted;
/// nothing of them reaches the database, and genuine changes still arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn damaged_config_messages_are_skipped_and_counted() {
    use session_client::protocol::config_wire::pipeline::push_config;
    use session_client::protocol::config_wire::ConfigKind;
    use session_client::protocol::rpc::Namespace;

    let net = start_net().await;
    let (a_dir, account) = new_account();
    let keypair = account.keypair().clone();
    let id = account.session_id();
    let (_b, second) = second_device(&account);
    let first = start_client(&net, account).await;
    let friend = someone();
    first.start_conversation(friend).await.unwrap();
    first.sync_now().await.unwrap();
    let before = first.all_contacts().await.unwrap();
    let skipped_before = first.poll_stats().configs_skipped;

    // Garbage, a config encrypted under another account's key, and a truncated real one.
    let (_, stranger) = session_client::protocol::identity::Keypair::generate();
    let foreign = push_config(
        ConfigKind::Contacts,
        1,
        b"d1:#i1e1:&de1:<le1:=dee",
        stranger.seed32(),
    )
    .unwrap()
    .messages
    .remove(0);
    let own = push_config(
        ConfigKind::Contacts,
        7,
        b"d1:#i7e1:&de1:<le1:=dee",
        keypair.seed32(),
    )
    .unwrap()
    .messages
    .remove(0);
    let now = session_node::time::now_ms();
    for data in [vec![0x42; 300], foreign, own[..own.len() / 2].to_vec()] {
        net.store_raw_in(&id, Namespace::CONTACTS, Some(&keypair), data, now)
            .await;
    }
    wait_until("three skipped config messages", WAIT, || async {
        first.poll_now().await.ok()?;
        (first.poll_stats().configs_skipped >= skipped_before + 3).then_some(())
    })
    .await;
    assert_eq!(first.poll_stats().configs_skipped, skipped_before + 3);
    assert_eq!(first.all_contacts().await.unwrap(), before);

    // Genuine changes from another device still arrive.
    let second = start_client(&net, second).await;
    second
        .set_nickname(friend, Some("Still works".into()))
        .await
        .unwrap();
    wait_contact(&first, friend, "the nickname from device two", |c| {
        c.nickname.as_deref() == Some("Still works")
    })
    .await;
    drop(a_dir);
    first.shutdown().await;
    second.shutdown().await;
    net.stop().await;
}

/// Config messages written by another implementation (libsession's test vectors) are read
/// from the swarm: its seqno-0 UserProfile push byte for byte as libsession stored it, and its
/// seqno-1 profile message (display name "Kallie") wrapped and stored by us.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configs_from_another_implementation_are_read() {
    use session_client::protocol::config::bt;
    use session_client::protocol::config_wire::pipeline::push_config;
    use session_client::protocol::config_wire::ConfigKind;
    use session_client::protocol::identity::Seed;
    use session_client::protocol::mnemonic::seed_to_phrase;
    use session_client::protocol::rpc::Namespace;

    let vectors: serde_json::Value = serde_json::from_str(include_str!(
        "../../protocol/tests/vectors/wave2/user-config-push.json"
    ))
    .unwrap();
    let case = |name: &str, field: &str| {
        let cases = vectors["cases"].as_array().unwrap();
        let case = cases
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(name));
        hex::decode(case.unwrap()[field].as_str().unwrap()).unwrap()
    };
    // The vectors' account: Ed25519 seed 0123…cdef followed by zeros, a Session seed.
    let seed_hex = vectors["keys"]["ed25519_seed"].as_str().unwrap();
    let seed: [u8; 16] = hex::decode(&seed_hex[..32]).unwrap().try_into().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let account = Account::restore(
        DataDir::new(dir.path().join("data")),
        &seed_to_phrase(&Seed::from_bytes(seed)),
    )
    .unwrap();
    let keypair = account.keypair().clone();
    let id = account.session_id();
    assert_eq!(
        hex::encode(keypair.ed25519_public()),
        vectors["keys"]["ed25519_pk"].as_str().unwrap()
    );

    let net = start_net().await;
    let now = session_node::time::now_ms();
    let libsession_push = case("seqno-0 push", "wrapped_hex");
    net.store_raw_in(
        &id,
        Namespace::USER_PROFILE,
        Some(&keypair),
        libsession_push,
        now,
    )
    .await;
    let dump = bt::decode(&case("dump after confirm", "dump_hex")).unwrap();
    let message = dump.as_dict().unwrap()[b"$".as_slice()]
        .as_bytes()
        .unwrap()
        .to_vec();
    let pushed = push_config(ConfigKind::UserProfile, 1, &message, keypair.seed32()).unwrap();
    for data in pushed.messages {
        net.store_raw_in(&id, Namespace::USER_PROFILE, Some(&keypair), data, now + 1)
            .await;
    }

    let client = start_client(&net, account).await;
    wait_name(&client, "Kallie").await;
    assert_eq!(client.poll_stats().configs_skipped, 0);
    client.shutdown().await;
    net.stop().await;
}

/// A conversation read on one device becomes read on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conversation_read_on_one_device_is_read_on_the_other() {
    let net = start_net().await;
    let (_a, account) = new_account();
    let (_b, second) = second_device(&account);
    let (_f, friend) = new_account();
    let first = start_client(&net, account).await;
    let second = start_client(&net, second).await;
    let friend = start_client(&net, friend).await;
    let me = *first.session_id();
    let friend_id = *friend.session_id();
    first.start_conversation(friend_id).await.unwrap();

    let sent = friend
        .send_text(me, "read me anywhere".into())
        .await
        .unwrap();
    friend.wait_sent(sent.id, WAIT).await.unwrap();
    let unread = |client: Client| async move {
        client.poll_now().await.ok()?;
        let list = client.conversations().await.ok()?;
        let entry = list
            .into_iter()
            .find(|c| c.conversation.peer == friend_id)?;
        Some(entry.conversation.unread_count)
    };
    // Both devices have it, unread.
    for device in [&first, &second] {
        wait_until("the message, unread", WAIT, || {
            let device = device.clone();
            async move { (unread(device).await? == 1).then_some(()) }
        })
        .await;
    }
    // Read on device one: device two follows.
    let conversation = first.conversation_with(friend_id).await.unwrap().unwrap();
    first.mark_read(conversation.id).await.unwrap();
    wait_until("the conversation read on device two", WAIT, || {
        let second = second.clone();
        async move { (unread(second).await? == 0).then_some(()) }
    })
    .await;

    first.shutdown().await;
    second.shutdown().await;
    friend.shutdown().await;
    net.stop().await;
}

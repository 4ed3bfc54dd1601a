//! Loading a polled batch of Contacts config messages, against parsing their data alone.
//!
//! Setup (deterministic, no RNG): a 2 000-contact config (names, every third contact with a
//! nickname, approved / blocked / pinned / muted flags, 33-byte ids from a fixed-seed
//! splitmix64) is pushed, then five small pushes move its large initial diff out of the lag
//! window. Two devices then diverge from that state, each pushing five successive edits of 40
//! contacts (nicknames, flags, priorities; a few contacts edited by both). The 10 messages of
//! the two branches are what the next poll returns; merging them needs a real conflict
//! resolution (two non-redundant heads, ten diffs replayed).
//!
//! * `parse_data_only` (baseline): `bt::decode` of each message + `data::parse_data` of its
//!   `&` dict, i.e. the least work that reads the data of all 10 messages.
//! * `config_object_merge` (what a client does on poll, here a new device): a fresh
//!   `ConfigObject` merges the 10 messages (parse, hash, redundancy, replay, prune).
//! * `synced_device_merge` (for information): the same merge into an object that already holds
//!   the common base state (its own message takes part too).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use session_protocol::config::bt::{self, BtValue};
use session_protocol::config::contacts::{Contact, Contacts};
use session_protocol::config::data;
use session_protocol::config::fields::NotifyMode;
use session_protocol::config::message::SigKeys;
use session_protocol::config::mutable::ConfigObject;

const CONTACTS: usize = 2_000;
const EDITS_PER_DEVICE: usize = 5;
const CONTACTS_PER_EDIT: usize = 40;

/// splitmix64: a fixed-seed, dependency-free byte source.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn session_id(i: usize) -> [u8; 33] {
    let mut state = 0x5e55_1011 ^ (i as u64).wrapping_mul(0x1000_0000_01b3);
    let mut id = [0u8; 33];
    id[0] = 0x05;
    for chunk in id[1..].chunks_mut(8) {
        let word = splitmix(&mut state).to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
    id
}

fn initial_contact(i: usize) -> Contact {
    let mut c = Contact::new(session_id(i));
    c.name = format!("Contact {i:04} display name");
    if i.is_multiple_of(3) {
        c.nickname = format!("nick-{i}");
    }
    c.approved = i.is_multiple_of(2);
    c.approved_me = !i.is_multiple_of(5);
    c.blocked = i.is_multiple_of(97);
    c.priority = if i.is_multiple_of(50) {
        (i / 50) as i64
    } else {
        0
    };
    c.notifications = if i.is_multiple_of(11) {
        NotifyMode::Disabled
    } else {
        NotifyMode::Default
    };
    c.mute_until = if i.is_multiple_of(13) {
        1_700_000_000
    } else {
        0
    };
    c.created = 1_600_000_000 + i as i64;
    c
}

/// Pushes the pending change and confirms it under a made-up server hash; returns the message.
fn push_confirm(contacts: &mut Contacts, tag: &str) -> (String, Vec<u8>) {
    let push = contacts.config.push();
    let hash = format!("{tag}-{}", push.seqno);
    contacts.config.confirm_pushed(push.seqno, &hash);
    (hash, push.message)
}

/// One device's edit number `step`: 40 contacts from its own range, two shared with the other.
fn edit(contacts: &mut Contacts, device: usize, step: usize) {
    let base = device * (CONTACTS / 2) + step * CONTACTS_PER_EDIT;
    let shared = (0..2).map(|k| 7 + step * 3 + k);
    for i in (base..base + CONTACTS_PER_EDIT - 2).chain(shared) {
        let mut c = contacts.get(&session_id(i)).unwrap();
        c.nickname = format!("dev{device} step{step} #{i}");
        c.blocked = !c.blocked && i.is_multiple_of(4);
        c.priority = if i % 8 == device { step as i64 + 1 } else { 0 };
        contacts.set(&c).unwrap();
    }
}

/// The synced base state and the 10 messages of the two diverged devices.
fn build() -> (ConfigObject, Vec<(String, Vec<u8>)>) {
    let mut device_a = Contacts::new();
    for i in 0..CONTACTS {
        device_a.set(&initial_contact(i)).unwrap();
    }
    push_confirm(&mut device_a, "base");
    for step in 0..5 {
        let mut c = device_a.get(&session_id(step)).unwrap();
        c.name = format!("Renamed {step}");
        device_a.set(&c).unwrap();
        push_confirm(&mut device_a, "base");
    }
    let synced = device_a.config.clone();
    let mut device_b = device_a.clone();
    let mut messages = Vec::new();
    for (device, contacts) in [(0, &mut device_a), (1, &mut device_b)] {
        for step in 0..EDITS_PER_DEVICE {
            edit(contacts, device, step);
            messages.push(push_confirm(contacts, &format!("dev{device}")));
        }
    }
    (synced, messages)
}

fn parse_data_only(messages: &[(String, Vec<u8>)]) -> Vec<data::ConfigDict> {
    messages
        .iter()
        .map(|(_, m)| {
            let top = bt::decode(m).unwrap();
            let BtValue::Dict(top) = top else {
                panic!("not a dict")
            };
            data::parse_data(&top[b"&".as_slice()]).unwrap()
        })
        .collect()
}

fn config_merge(c: &mut Criterion) {
    let (synced, messages) = build();

    // Sanity: both devices' edits survive, nothing is lost, a conflict merge happened.
    let mut merged = ConfigObject::new(SigKeys::default());
    assert_eq!(merged.merge(&messages).len(), messages.len());
    assert!(
        merged.needs_push(),
        "a conflict merge leaves the object dirty"
    );
    let view = Contacts { config: merged };
    assert_eq!(view.len(), CONTACTS);
    let last = CONTACTS_PER_EDIT * (EDITS_PER_DEVICE - 1);
    assert!(view
        .get(&session_id(last))
        .unwrap()
        .nickname
        .starts_with("dev0 step4"));
    let b_last = CONTACTS / 2 + last;
    assert!(view
        .get(&session_id(b_last))
        .unwrap()
        .nickname
        .starts_with("dev1 step4"));
    let total: usize = messages.iter().map(|(_, m)| m.len()).sum();
    eprintln!(
        "config_merge: {} messages, {total} bytes in all",
        messages.len()
    );

    let mut group = c.benchmark_group("contacts_2000_poll_10");
    group.bench_function("parse_data_only", |b| {
        b.iter(|| parse_data_only(black_box(&messages)));
    });
    group.bench_function("config_object_merge", |b| {
        b.iter(|| {
            let mut obj = ConfigObject::new(SigKeys::default());
            obj.merge(black_box(&messages));
            obj
        });
    });
    group.bench_function("synced_device_merge", |b| {
        b.iter_batched(
            || synced.clone(),
            |mut obj| {
                obj.merge(black_box(&messages));
                obj
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, config_merge);
criterion_main!(benches);

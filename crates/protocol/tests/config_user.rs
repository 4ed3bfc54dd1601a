//! Typed user config views: Contacts, ConvoInfoVolatile, UserGroups and community URLs
//! (`vectors/wave2/config-community-url.json`).

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use session_protocol::config::community::{
    self, canonical_room, canonical_url, full_url, parse_full_url, CommunityError,
};
use session_protocol::config::contacts::{Contact, Contacts, Expiration};
use session_protocol::config::convo_info::{
    accept_last_read, is_stale, is_stale_entry, prune_stale, ConvoInfoVolatile, ReadState,
    PRUNE_HIGH_MS, PRUNE_LOW_MS,
};
use session_protocol::config::data::{data_to_bt, ConfigValue, Scalar};
use session_protocol::config::fields::{self, NotifyMode, ProfilePic};
use session_protocol::config::user_groups::{
    CommunityInfo, GroupCommon, GroupInfo, LegacyGroupInfo, UserGroups,
};

const NOW_MS: i64 = 1_700_000_000_000;

fn sid(prefix: u8, fill: u8) -> [u8; 33] {
    let mut id = [fill; 33];
    id[0] = prefix;
    id
}

#[test]
fn vector_community_urls() {
    let v: Value =
        serde_json::from_str(include_str!("vectors/wave2/config-community-url.json")).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for c in cases {
        let url = c["url"].as_str().unwrap();
        let (base, room, pk) = parse_full_url(url).unwrap();
        assert_eq!(base, c["base_url"].as_str().unwrap(), "{url}");
        assert_eq!(room, c["room"].as_str().unwrap(), "{url}");
        assert_eq!(
            canonical_room(&room).unwrap(),
            c["canonical_room"].as_str().unwrap()
        );
        assert_eq!(hex::encode(pk), c["pubkey_hex"].as_str().unwrap(), "{url}");

        // Stored in UserGroups: keyed by canonical base + lower-case room, `n` keeps the case.
        let mut ug = UserGroups::new();
        let info = ug.set_community_url(url).unwrap();
        assert_eq!(info.room, c["room"].as_str().unwrap());
        let got = ug
            .community(c["base_url"].as_str().unwrap(), &room.to_uppercase())
            .unwrap()
            .unwrap();
        assert_eq!(got.room, c["room"].as_str().unwrap());
        assert_eq!(hex::encode(got.pubkey), c["pubkey_hex"].as_str().unwrap());
        let o = fields::get_dict(ug.config.data(), b"o").unwrap();
        assert!(o.contains_key(c["base_url"].as_str().unwrap().as_bytes()));
    }
}

#[test]
fn community_url_errors_and_round_trip() {
    assert_eq!(
        canonical_url("ftp://example.com"),
        Err(CommunityError::BadScheme)
    );
    assert_eq!(canonical_url("example.com"), Err(CommunityError::BadScheme));
    assert_eq!(canonical_url("http://abc"), Err(CommunityError::BadHost));
    assert_eq!(canonical_url("http://a..com"), Err(CommunityError::BadHost));
    assert_eq!(
        canonical_url("http://example.com:99999"),
        Err(CommunityError::BadPort)
    );
    assert_eq!(
        canonical_url("http://example.com/x"),
        Err(CommunityError::UnexpectedPath)
    );
    assert_eq!(
        canonical_url("http://Example.COM/").unwrap(),
        "http://example.com"
    );
    assert_eq!(
        canonical_url("https://example.com:80").unwrap(),
        "https://example.com:80"
    );
    assert_eq!(
        canonical_url("http://example.com:443").unwrap(),
        "http://example.com:443"
    );
    assert_eq!(canonical_room(""), Err(CommunityError::EmptyRoom));
    assert_eq!(canonical_room("a b"), Err(CommunityError::RoomChars));
    assert_eq!(
        canonical_room(&"a".repeat(65)),
        Err(CommunityError::RoomTooLong)
    );
    assert!(parse_full_url("https://example.com/room").is_err());
    assert!(community::decode_pubkey("zz").is_err());
    let pk = [0xab; 32];
    let url = full_url("https://example.com", "Lobby", &pk);
    assert_eq!(
        parse_full_url(&url).unwrap(),
        ("https://example.com".into(), "Lobby".into(), pk)
    );
}

#[test]
fn contacts_round_trip_and_exact_keys() {
    let mut c = Contacts::new();
    let id = sid(0x05, 0x11);
    let mut ct = Contact::new(id);
    ct.name = "Alice".into();
    ct.nickname = "ally".into();
    ct.profile_pic = Some(ProfilePic {
        url: "http://x".into(),
        key: [1; 32],
    });
    ct.approved = true;
    ct.blocked = false;
    ct.priority = -1;
    ct.notifications = NotifyMode::MentionsOnly;
    ct.mute_until = 1234;
    ct.expiration = Expiration::AfterRead(60);
    ct.created = 99;
    c.set(&ct).unwrap();
    let got = c.get(&id).unwrap();
    let mut want = ct.clone();
    want.notifications = NotifyMode::All; // mentions-only is stored as "all" for contacts
    assert_eq!(got, want);
    let entry = data_to_bt(
        fields::get_dict(fields::get_dict(c.config.data(), b"c").unwrap(), &id).unwrap(),
    );
    let mut expect =
        b"d1:!i1234e1:+i-1e1:@i1e1:Ei60e1:N4:ally1:ai1e1:ei2e1:ji99e1:n5:Alice1:p8:http://x1:q32:"
            .to_vec();
    expect.extend_from_slice(&[1; 32]);
    expect.push(b'e');
    assert_eq!(entry.encode(), expect);

    // Clearing fields removes their keys; `n` stays (possibly empty) to keep the entry alive.
    let mut cleared = Contact::new(id);
    cleared.expiration = Expiration::AfterSend(0); // no timer ⇒ both e and E omitted
    c.set(&cleared).unwrap();
    let entry = data_to_bt(
        fields::get_dict(fields::get_dict(c.config.data(), b"c").unwrap(), &id).unwrap(),
    );
    assert_eq!(entry.encode(), b"d1:n0:e");
    assert_eq!(c.len(), 1);
    assert!(c.erase(&id).unwrap());
    assert!(!c.erase(&id).unwrap());
    assert!(c.is_empty());
    // wrong prefix refused
    assert!(c.set(&Contact::new(sid(0x03, 1))).is_err());
}

#[test]
fn long_names_truncate_on_char_boundary() {
    let mut c = Contacts::new();
    let id = sid(0x05, 2);
    let mut ct = Contact::new(id);
    ct.name = format!("{}€", "a".repeat(98)); // 101 bytes, '€' is 3 bytes
    c.set(&ct).unwrap();
    assert_eq!(c.get(&id).unwrap().name, "a".repeat(98));
}

/// Editing a known field keeps unknown sibling keys (and unknown sections) byte for byte.
#[test]
fn unknown_keys_survive_edits() {
    let id = sid(0x05, 3);
    let mut c = Contacts::new();
    c.set(&Contact::new(id)).unwrap();
    c.config
        .edit(|d| {
            fields::set_bytes(d, b"zzz", b"future top-level");
            fields::with_dict(d, b"c", |all| {
                fields::with_dict(all, &id, |e| {
                    fields::set_bytes(e, b"Z", b"\x00future\xff");
                    e.insert(
                        b"y".to_vec(),
                        ConfigValue::Set([Scalar::Int(1), Scalar::Bytes(b"x".to_vec())].into()),
                    );
                });
            });
        })
        .unwrap();
    // Round trip through the wire (another client's message) to be sure nothing is lost.
    let msg = c.config.push().message;
    let mut other = Contacts::new();
    other.config.merge(&[("h".into(), msg)]);
    let mut ct = other.get(&id).unwrap();
    ct.nickname = "bob".into();
    ct.blocked = true;
    other.set(&ct).unwrap();
    let all = fields::get_dict(other.config.data(), b"c").unwrap();
    let e = fields::get_dict(all, &id).unwrap();
    assert_eq!(
        fields::get_bytes(e, b"Z"),
        Some(b"\x00future\xff".as_slice())
    );
    assert_eq!(
        data_to_bt(e).encode(),
        b"d1:N3:bob1:Z8:\x00future\xff1:bi1e1:n0:1:yli1e1:xee".to_vec()
    );
    assert_eq!(
        fields::get_bytes(other.config.data(), b"zzz"),
        Some(b"future top-level".as_slice())
    );
}

#[test]
fn convo_info_sections_and_pruning_rules() {
    let old = NOW_MS - PRUNE_LOW_MS - 1;
    assert!(!accept_last_read(None, old, NOW_MS));
    assert!(
        accept_last_read(Some(old + 5), old, NOW_MS),
        "lowering is always accepted"
    );
    assert!(accept_last_read(None, NOW_MS - 1000, NOW_MS));
    assert!(is_stale(
        &ReadState {
            last_read_ms: NOW_MS - PRUNE_HIGH_MS - 1,
            unread: false
        },
        NOW_MS
    ));
    assert!(!is_stale(
        &ReadState {
            last_read_ms: NOW_MS - PRUNE_HIGH_MS - 1,
            unread: true
        },
        NOW_MS
    ));

    let mut cv = ConvoInfoVolatile::new();
    let a = sid(0x05, 1);
    let g = sid(0x03, 2);
    let l = sid(0x05, 3);
    let fresh = ReadState {
        last_read_ms: NOW_MS - 5,
        unread: false,
    };
    cv.set_one_to_one(&a, &fresh, NOW_MS).unwrap();
    cv.set_group(
        &g,
        &ReadState {
            last_read_ms: NOW_MS - 7,
            unread: true,
        },
        NOW_MS,
    )
    .unwrap();
    cv.set_legacy_group(&l, &fresh, NOW_MS).unwrap();
    cv.set_community("HTTPS://Example.com", "Lobby", &[9; 32], &fresh, NOW_MS)
        .unwrap();
    // too old and new ⇒ not stored at all
    cv.set_one_to_one(
        &sid(0x05, 9),
        &ReadState {
            last_read_ms: old,
            unread: false,
        },
        NOW_MS,
    )
    .unwrap();
    assert_eq!(cv.one_to_one(&sid(0x05, 9)), None);
    assert_eq!(cv.one_to_one(&a), Some(fresh));
    assert!(cv.group(&g).unwrap().unread);
    assert_eq!(cv.legacy_group(&l), Some(fresh));
    let room = cv
        .community("https://example.com", "LOBBY")
        .unwrap()
        .unwrap();
    assert_eq!(room.pubkey, Some([9; 32]));
    assert_eq!(room.state, fresh);
    let bytes = data_to_bt(cv.config.data()).encode();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("1:od19:https://example.comd1:#32:"), "{text}");
    assert!(text.contains("1:Rd5:lobbyd1:ri"), "{text}");
    assert_eq!(cv.all_one_to_one().len(), 1);
    assert_eq!(cv.all_groups().len(), 1);
    assert_eq!(cv.all_legacy_groups().len(), 1);

    // 46 days later: 1:1, legacy and community entries are pruned at push; unread groups stay.
    let later = NOW_MS + PRUNE_HIGH_MS + 10;
    let mut probe = cv.config.data().clone();
    assert_eq!(prune_stale(&mut probe, later), 3);
    let push = cv.push(later).unwrap();
    assert!(!push.message.is_empty());
    assert_eq!(cv.one_to_one(&a), None);
    assert_eq!(cv.legacy_group(&l), None);
    assert_eq!(cv.community("https://example.com", "lobby").unwrap(), None);
    assert!(fields::get_dict(cv.config.data(), b"o").is_none());
    assert!(cv.group(&g).is_some());

    assert!(cv.erase_group(&g).unwrap());
    assert!(!cv.erase_group(&g).unwrap());
    cv.set_community("https://example.com", "a", &[9; 32], &fresh, NOW_MS)
        .unwrap();
    cv.set_community("https://example.com", "b", &[9; 32], &fresh, NOW_MS)
        .unwrap();
    assert!(cv.erase_community("https://example.com", "a").unwrap());
    assert!(fields::get_dict(cv.config.data(), b"o").is_some());
    assert!(cv.erase_community("https://example.com", "B").unwrap());
    assert!(fields::get_dict(cv.config.data(), b"o").is_none());
}

#[test]
fn unexpired_pro_proof_keeps_an_old_entry() {
    let later = NOW_MS + PRUNE_HIGH_MS + 10;
    let mut cv = ConvoInfoVolatile::new();
    let a = sid(0x05, 1);
    let b = sid(0x05, 2);
    let st = ReadState {
        last_read_ms: NOW_MS,
        unread: false,
    };
    cv.set_one_to_one(&a, &st, NOW_MS).unwrap();
    cv.set_one_to_one(&b, &st, NOW_MS).unwrap();
    cv.config
        .edit(|d| {
            fields::with_dict(d, b"1", |ones| {
                fields::with_dict(ones, &a, |e| {
                    fields::set_int(e, b"e", later);
                    fields::set_bytes(e, b"g", &[1; 32]);
                });
            });
        })
        .unwrap();
    let e = fields::get_dict(fields::get_dict(cv.config.data(), b"1").unwrap(), &a).unwrap();
    assert!(!is_stale_entry(e, later));
    cv.push(later).unwrap();
    assert!(cv.one_to_one(&a).is_some());
    assert!(cv.one_to_one(&b).is_none());
}

#[test]
fn user_groups_v2_groups() {
    let seed = [5u8; 32];
    let pk = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    let mut id = [3u8; 33];
    id[1..].copy_from_slice(pk.as_bytes());
    let mut ug = UserGroups::new();
    let mut g = GroupInfo::new(id);
    g.admin_seed = Some(seed);
    g.name = "Team".into();
    g.common = GroupCommon {
        priority: 2,
        notifications: NotifyMode::MentionsOnly,
        mute_until: 10,
        invited: true,
        joined_at: 20,
    };
    ug.set_group(&g).unwrap();
    assert_eq!(ug.group(&id).unwrap(), g);
    let entry = fields::get_dict(fields::get_dict(ug.config.data(), b"g").unwrap(), &id).unwrap();
    let mut want = b"d1:!i10e1:+i2e1:@i3e1:K32:".to_vec();
    want.extend_from_slice(&seed);
    want.extend_from_slice(b"1:ii1e1:ji20e1:n4:Teame");
    assert_eq!(data_to_bt(entry).encode(), want);

    // Not admin: K written empty, s = auth data; a wrong seed is never written.
    let mut member = GroupInfo::new(id);
    member.admin_seed = Some([6; 32]);
    member.auth_data = Some(vec![7; 100]);
    member.mark_kicked();
    member.auth_data = Some(vec![7; 100]);
    ug.set_group(&member).unwrap();
    let got = ug.group(&id).unwrap();
    assert_eq!(got.admin_seed, None);
    assert_eq!(got.auth_data, Some(vec![7; 100]));
    assert_eq!(got.removed_status, 1);
    let entry = fields::get_dict(fields::get_dict(ug.config.data(), b"g").unwrap(), &id).unwrap();
    assert_eq!(fields::get_bytes(entry, b"K"), Some(b"".as_slice()));
    assert_eq!(ug.all_groups().len(), 1);
    assert!(ug.erase_group(&id).unwrap());
    assert!(ug.set_group(&GroupInfo::new(sid(0x05, 1))).is_err());
}

#[test]
fn user_groups_legacy_and_communities() {
    let mut ug = UserGroups::new();
    let id = sid(0x05, 0x22);
    let mut lg = LegacyGroupInfo::new(id);
    lg.name = "Old".into();
    lg.enc_keypair = Some(([1; 32], [2; 32]));
    lg.members.insert(sid(0x05, 0x30), false);
    lg.members.insert(sid(0x05, 0x31), true);
    lg.disappearing_timer = 3600;
    ug.set_legacy_group(&lg).unwrap();
    assert_eq!(ug.legacy_group(&id).unwrap(), lg);
    let entry = fields::get_dict(fields::get_dict(ug.config.data(), b"C").unwrap(), &id).unwrap();
    assert!(matches!(entry.get(b"m".as_slice()), Some(ConfigValue::Set(s)) if s.len() == 1));
    assert!(matches!(entry.get(b"a".as_slice()), Some(ConfigValue::Set(s)) if s.len() == 1));
    // No keys / members ⇒ k, K, m, a disappear; n stays.
    let bare = LegacyGroupInfo::new(id);
    ug.set_legacy_group(&bare).unwrap();
    let entry = fields::get_dict(fields::get_dict(ug.config.data(), b"C").unwrap(), &id).unwrap();
    assert_eq!(data_to_bt(entry).encode(), b"d1:n0:e");
    assert_eq!(ug.all_legacy_groups().len(), 1);
    assert!(ug.erase_legacy_group(&id).unwrap());

    let c = CommunityInfo {
        base_url: "https://Example.com:443".into(),
        room: "SudokuRoom".into(),
        pubkey: [4; 32],
        common: GroupCommon {
            priority: 1,
            ..GroupCommon::default()
        },
    };
    ug.set_community(&c).unwrap();
    let got = ug
        .community("https://example.com", "sudokuroom")
        .unwrap()
        .unwrap();
    assert_eq!(got.room, "SudokuRoom");
    assert_eq!(got.base_url, "https://example.com");
    assert_eq!(got.common.priority, 1);
    assert_eq!(ug.all_communities().len(), 1);
    let bytes = data_to_bt(ug.config.data()).encode();
    let mut want = b"d1:od19:https://example.comd1:#32:".to_vec();
    want.extend_from_slice(&[4; 32]);
    want.extend_from_slice(b"1:Rd10:sudokuroomd1:+i1e1:n10:SudokuRoomeeeee");
    assert_eq!(bytes, want);
    assert!(ug
        .erase_community("https://example.com", "SUDOKUROOM")
        .unwrap());
    assert!(ug.config.data().is_empty());
}

#[test]
fn typed_views_merge_like_any_config() {
    // Contacts edited on two devices converge after exchanging messages.
    let mut a = Contacts::new();
    let mut b = Contacts::new();
    let x = sid(0x05, 1);
    let y = sid(0x05, 2);
    let mut cx = Contact::new(x);
    cx.name = "X".into();
    a.set(&cx).unwrap();
    let mut cy = Contact::new(y);
    cy.name = "Y".into();
    b.set(&cy).unwrap();
    let pa = a.config.push().message;
    let pb = b.config.push().message;
    a.config.merge(&[("b".into(), pb)]);
    b.config.merge(&[("a".into(), pa)]);
    assert_eq!(a.all(), b.all());
    assert_eq!(a.len(), 2);
    assert_eq!(a.config.push().message, b.config.push().message);
}

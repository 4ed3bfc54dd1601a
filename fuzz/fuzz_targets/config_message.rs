//! Feeds arbitrary bytes to the config-message machinery: the bencode codec, the message parser,
//! the multi-message merge (alone, split in two, and next to a valid message), and the typed user
//! config views reading whatever a merge accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_protocol::config::bt;
use session_protocol::config::contacts::Contacts;
use session_protocol::config::convo_info::ConvoInfoVolatile;
use session_protocol::config::merge::merge_messages;
use session_protocol::config::message::{ConfigMessage, SigKeys, DEFAULT_LAG};
use session_protocol::config::user_groups::UserGroups;
use session_protocol::config::user_profile::UserProfile;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = bt::decode(data) {
        assert_eq!(v.encode(), data, "accepted bencode must be canonical");
    }
    let _ = ConfigMessage::parse(data, None, DEFAULT_LAG);
    let keys = SigKeys::default();
    let _ = merge_messages(&[data], &keys, DEFAULT_LAG);
    let (a, b) = data.split_at(data.len() / 2);
    let _ = merge_messages(&[a, b, data], &keys, DEFAULT_LAG);

    let msgs = vec![
        ("a".to_string(), a.to_vec()),
        ("b".to_string(), b.to_vec()),
        ("all".to_string(), data.to_vec()),
    ];
    let mut profile = UserProfile::new();
    let _ = profile.set_name("fuzz");
    profile.config.merge(&msgs);
    let _ = (profile.name(), profile.profile_pic(), profile.config.push());

    let mut contacts = Contacts::new();
    contacts.config.merge(&msgs);
    let _ = contacts.all();
    let _ = contacts.config.dump();

    let mut convos = ConvoInfoVolatile::new();
    convos.config.merge(&msgs);
    let _ = (convos.all_one_to_one(), convos.all_groups(), convos.push(0));

    let mut groups = UserGroups::new();
    groups.config.merge(&msgs);
    let _ = (
        groups.all_groups(),
        groups.all_communities(),
        groups.all_legacy_groups(),
    );
});

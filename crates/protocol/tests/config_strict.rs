//! Strict parsing of bencode and config messages: every malformed form libsession refuses is
//! refused here too, and unknown top-level keys survive.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use session_protocol::config::bt::{self, BtError, BtValue, MAX_DEPTH};
use session_protocol::config::data::{self, DataError};
use session_protocol::config::merge::{merge_messages, Merged};
use session_protocol::config::message::{
    ConfigMessage, MessageError, MutableConfigMessage, SigKeys, DEFAULT_LAG,
};

#[test]
fn bencode_refuses_non_canonical_forms() {
    for bad in [
        &b"i01e"[..],
        b"i-0e",
        b"ie",
        b"i-e",
        b"i1",
        b"i99999999999999999999e",
        b"01:a",
        b"-1:a",
        b"2:a",
        b"d1:bi1e1:ai2ee",
        b"d1:ai1e1:ai2ee",
        b"di1ei2ee",
        b"i1ei2e",
        b"le ",
        b"x",
        b"",
        b"l",
        b"d1:a",
    ] {
        assert!(
            bt::decode(bad).is_err(),
            "accepted {:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(bt::decode(b"i0e"), Ok(BtValue::Int(0)));
    assert_eq!(
        bt::decode(b"i-9223372036854775808e"),
        Ok(BtValue::Int(i64::MIN))
    );
    assert_eq!(bt::decode(b"0:"), Ok(BtValue::Bytes(vec![])));
    assert_eq!(bt::decode(b"i1ee"), Err(BtError::TrailingBytes(1)));
    assert!(matches!(
        bt::decode(b"d1:bi1e1:ai2ee"),
        Err(BtError::BadKey(_))
    ));
}

#[test]
fn bencode_depth_limit() {
    let ok = format!("{}{}", "l".repeat(MAX_DEPTH), "e".repeat(MAX_DEPTH));
    assert!(bt::decode(ok.as_bytes()).is_ok());
    let deep = format!("{}{}", "l".repeat(MAX_DEPTH + 1), "e".repeat(MAX_DEPTH + 1));
    assert_eq!(bt::decode(deep.as_bytes()), Err(BtError::TooDeep));
    // a megabyte of '[' must not overflow the stack
    let huge = vec![b'l'; 1 << 20];
    assert_eq!(bt::decode(&huge), Err(BtError::TooDeep));
}

#[test]
fn data_refuses_empty_and_unsorted_containers() {
    let parse = |s: &[u8]| data::parse_data(&bt::decode(s).unwrap());
    assert_eq!(parse(b"d1:alee"), Err(DataError::BadSet));
    assert_eq!(parse(b"d1:adee"), Err(DataError::EmptyDict));
    assert_eq!(parse(b"d1:ali2ei1eee"), Err(DataError::BadSet));
    assert_eq!(parse(b"d1:ali1ei1eee"), Err(DataError::BadSet));
    assert_eq!(
        parse(b"d1:al1:ai1eee"),
        Err(DataError::BadSet),
        "string before int"
    );
    assert_eq!(
        parse(b"d1:alleee"),
        Err(DataError::BadSet),
        "non-scalar member"
    );
    assert!(parse(b"de").is_ok(), "the top level may be empty");
    assert!(parse(b"d1:ali1e1:aee").is_ok());
}

fn parse(s: &[u8]) -> Result<ConfigMessage, MessageError> {
    ConfigMessage::parse(s, None, DEFAULT_LAG)
}

#[test]
fn message_layout_rules() {
    assert!(parse(b"d1:#i0e1:&de1:<le1:=dee").is_ok());
    assert!(parse(b"d1:#i0e1:&dee").is_ok(), "'<' and '=' are optional");
    assert_eq!(parse(b"d1:!i0e1:#i0e1:&dee"), Err(MessageError::BadSeqno));
    assert_eq!(parse(b"d1:#1:x1:&dee"), Err(MessageError::BadSeqno));
    assert_eq!(parse(b"d1:#i0e1:<lee"), Err(MessageError::MissingData));
    assert_eq!(parse(b"le"), Err(MessageError::BadSeqno));
    // keys after '~', or a bad signature field
    let mut sig = b"d1:#i0e1:&de1:<le1:=de1:~64:".to_vec();
    sig.extend_from_slice(&[0; 64]);
    sig.extend_from_slice(b"1:\x7f0:e");
    assert_eq!(parse(&sig), Err(MessageError::BadSignatureField));
    assert_eq!(
        parse(b"d1:#i0e1:&de1:~3:abce"),
        Err(MessageError::BadSignatureField)
    );
    assert_eq!(
        parse(b"d1:#i0e1:&de1:\x7fi1ee"),
        Err(MessageError::BadSignatureField),
        "nothing may sort after '~'"
    );
    // diffs: only "", "-", dicts and [[..],[..]]
    assert_eq!(
        parse(b"d1:#i0e1:&de1:=d1:a1:xee"),
        Err(MessageError::Data(DataError::BadDiff))
    );
    assert_eq!(
        parse(b"d1:#i0e1:&de1:=d1:ai1eee"),
        Err(MessageError::Data(DataError::BadDiff))
    );
    assert_eq!(
        parse(b"d1:#i0e1:&de1:=d1:alleeee"),
        Err(MessageError::Data(DataError::BadDiff))
    );
    assert_eq!(parse(b"d1:#i0e1:&de1:=d1:alleleeee").map(|_| ()), Ok(()));
    assert!(parse(b"d1:#i0e1:&de1:=d1:ad1:b1:-eee").is_ok());
}

fn lag_entry(seqno: i64, hash_len: usize) -> Vec<u8> {
    let mut v = format!("li{seqno}e{hash_len}:").into_bytes();
    v.extend(std::iter::repeat_n(7u8, hash_len));
    v.extend_from_slice(b"dee");
    v
}

fn with_lags(seqno: i64, entries: &[Vec<u8>]) -> Vec<u8> {
    let mut v = format!("d1:#i{seqno}e1:&de1:<l").into_bytes();
    for e in entries {
        v.extend_from_slice(e);
    }
    v.extend_from_slice(b"e1:=dee");
    v
}

#[test]
fn lagged_diff_rules() {
    let m = parse(&with_lags(10, &[lag_entry(8, 32), lag_entry(9, 32)])).unwrap();
    assert_eq!(m.lagged.len(), 2);
    // too old entries are dropped unchecked (even with a bad hash), as upstream does
    let m = parse(&with_lags(10, &[lag_entry(5, 3), lag_entry(9, 32)])).unwrap();
    assert_eq!(m.lagged.keys().map(|k| k.0).collect::<Vec<_>>(), vec![9]);
    assert!(
        parse(&with_lags(10, &[lag_entry(10, 32)])).is_err(),
        "seqno >= own"
    );
    assert!(
        parse(&with_lags(10, &[lag_entry(9, 31)])).is_err(),
        "hash not 32 bytes"
    );
    assert!(
        parse(&with_lags(10, &[lag_entry(9, 32), lag_entry(8, 32)])).is_err(),
        "unsorted"
    );
    assert!(
        parse(&with_lags(10, &[lag_entry(9, 32), lag_entry(9, 32)])).is_err(),
        "duplicate"
    );
}

#[test]
fn unknown_top_level_keys_are_kept_in_place() {
    let msg = b"d1:#i3e1:$i7e1:&d1:ai1ee1:*3:xyz1:<le1:=de1:>le1:}d1:qi1eee";
    let m = parse(msg).unwrap();
    assert_eq!(m.unknown.len(), 4);
    // carried into the next message, at their sorted positions
    let mut next = m.increment(DEFAULT_LAG);
    let bytes = next.serialize(None);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(
        text.starts_with("d1:#i4e1:$i7e1:&d1:ai1ee1:*3:xyz1:<l"),
        "{text}"
    );
    assert!(text.ends_with("e1:=de1:>le1:}d1:qi1eee"), "{text}");
    assert!(parse(&bytes).is_ok());
}

#[test]
fn merge_redundancy_rules() {
    let keys = SigKeys::default();
    let mut m1 = MutableConfigMessage::new(1, DEFAULT_LAG);
    m1.data = data::parse_data(&bt::decode(b"d1:ai1ee").unwrap()).unwrap();
    let b1 = m1.serialize(None);
    let mut m2 = m1.increment(None);
    let b2 = m2.serialize(None);
    // m2 carries m1 in its '<': m1 is redundant, m2 used as-is
    let out = merge_messages(&[&b1, &b2], &keys, DEFAULT_LAG).unwrap();
    assert_eq!(out.unmerged_index(), Some(1));
    // duplicates are redundant
    let out = merge_messages(&[&b2, &b2], &keys, DEFAULT_LAG).unwrap();
    assert_eq!(out.unmerged_index(), Some(0));
    // too old (seqno + lag <= max): dropped
    let mut far = MutableConfigMessage::new(6, DEFAULT_LAG);
    let bfar = far.serialize(None);
    let out = merge_messages(&[&b1, &bfar], &keys, DEFAULT_LAG).unwrap();
    assert_eq!(out.unmerged_index(), Some(1));
    // two concurrent messages: merged at max + 1 with both in '<'
    let mut other = MutableConfigMessage::new(2, DEFAULT_LAG);
    let bo = other.serialize(None);
    let out = merge_messages(&[&b2, &bo], &keys, DEFAULT_LAG).unwrap();
    let Merged::Merged(mut merged) = out.result else {
        panic!("expected a merge")
    };
    assert_eq!(merged.seqno, 3);
    let bytes = merged.serialize(None);
    let parsed = parse(&bytes).unwrap();
    assert_eq!(parsed.lagged.len(), 3, "1, and both seqno-2 messages");
    assert!(parsed.diff.is_empty());
    // garbage only
    assert!(merge_messages(&[b"nope".as_slice()], &keys, DEFAULT_LAG).is_err());
    let out = merge_messages(&[b"nope".as_slice(), &b1], &keys, DEFAULT_LAG).unwrap();
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.unmerged_index(), Some(1));
}

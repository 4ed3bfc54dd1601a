//! The conflict-resolution examples of libsession-util `tests/test_configdata.cpp`
//! ("config message example 2/3/4", read at commit 0979cde5): the hashes h124, h125a, h125b and
//! the expected bytes of the merged seqno-126 and seqno-127 messages are the upstream literals.
//! The starting message is `m123_hex` of `vectors/wave2/config-message.json`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use serde_json::Value;
use session_protocol::config::data::{ConfigDict, ConfigValue, Scalar};
use session_protocol::config::merge::{merge_messages, Merged};
use session_protocol::config::message::{
    message_hash, ConfigMessage, Hash, MutableConfigMessage, SigKeys, DEFAULT_LAG,
};

const H124: &str = "8b73f316178765b9b3b37168e865c84bb5a78610cbb59b84d0fa4d3b4b3c102b";
const H125A: &str = "80f229c3667de6d0fa6f96b53118e097fbda82db3ca1aea221a3db91ea9c45fb";
const H125B: &str = "ab12f0efe9a9ed00db6b17b44ae0ff36b9f49094077fb114f415522f2a0e98de";

fn m123() -> Vec<u8> {
    let v: Value = serde_json::from_str(include_str!("vectors/wave2/config-message.json")).unwrap();
    let c = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.get("m123_hex").is_some())
        .unwrap();
    hex::decode(c["m123_hex"].as_str().unwrap()).unwrap()
}

fn h(hex_str: &str) -> Vec<u8> {
    hex::decode(hex_str).unwrap()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn int(i: i64) -> ConfigValue {
    ConfigValue::Scalar(Scalar::Int(i))
}

fn st(s: &str) -> ConfigValue {
    ConfigValue::Scalar(Scalar::Bytes(s.as_bytes().to_vec()))
}

fn dict_mut<'a>(d: &'a mut ConfigDict, k: &str) -> &'a mut ConfigDict {
    match d.get_mut(k.as_bytes()).unwrap() {
        ConfigValue::Dict(x) => x,
        _ => panic!("{k} is not a dict"),
    }
}

fn set_mut<'a>(d: &'a mut ConfigDict, k: &str) -> &'a mut BTreeSet<Scalar> {
    match d.get_mut(k.as_bytes()).unwrap() {
        ConfigValue::Set(x) => x,
        _ => panic!("{k} is not a set"),
    }
}

fn updates_124(m: &mut MutableConfigMessage) {
    let d = &mut m.data;
    let mut dict_a = ConfigDict::new();
    dict_a.insert(b"hello".to_vec(), int(123));
    dict_a.insert(
        b"goodbye".to_vec(),
        ConfigValue::Set([Scalar::Int(123), Scalar::Int(456)].into()),
    );
    d.insert(b"dictA".to_vec(), ConfigValue::Dict(dict_a));
    let b = dict_mut(d, "dictB");
    b.insert(b"changed".to_vec(), int(1));
    b.insert(b"added".to_vec(), int(9999));
    b.insert(
        b"nested".to_vec(),
        ConfigValue::Dict([(b"a".to_vec(), int(1))].into()),
    );
    b.remove(b"removed".as_slice());
    b.remove(b"removed2".as_slice());
    d.remove(b"dictC".as_slice());
    let good = set_mut(d, "good");
    good.insert(Scalar::Bytes(b"Foo".to_vec()));
    good.remove(&Scalar::Int(456));
    good.insert(Scalar::Int(123));
    d.insert(b"int1".to_vec(), int(42));
    d.remove(b"string1".as_slice());
    d.insert(b"string2".to_vec(), st("hello"));
    d.insert(b"string3".to_vec(), st("omg"));
    d.remove(b"great".as_slice());
}

/// The single-input load of m123 (seqno 124, as libsession's MutableConfigMessage{m123}).
fn m124_base() -> MutableConfigMessage {
    let bytes = m123();
    let out = merge_messages(&[&bytes], &SigKeys::default(), DEFAULT_LAG).unwrap();
    let Merged::Single { message, .. } = out.result else {
        panic!("single input must not merge")
    };
    message.increment(DEFAULT_LAG)
}

const DIFF124: &[u8] = b"d5:dictAd7:goodbyelli123ei456eelee5:hello0:e5:dictBd5:added0:7:changed0:6:nestedd1:a0:e7:removed1:-8:removed21:-e5:dictCd1:xd1:y1:-ee4:goodlli123e3:Fooeli456eee5:greatlleli-42e3:omgee4:int10:7:string11:-7:string20:7:string30:e";

fn merged_bytes(inputs: &[&[u8]]) -> (Vec<u8>, Option<usize>) {
    let out = merge_messages(inputs, &SigKeys::default(), DEFAULT_LAG).unwrap();
    let idx = out.unmerged_index();
    let bytes = match out.result {
        Merged::Single { message, .. } => message.bytes,
        Merged::Merged(mut m) => m.serialize(None),
    };
    (bytes, idx)
}

fn h_of(b: &[u8]) -> Hash {
    message_hash(b)
}

#[test]
fn example_3_simple_conflict() {
    let mut m124 = m124_base();
    assert_eq!(m124.seqno, 124);
    updates_124(&mut m124);
    assert_eq!(hex::encode(m124.hash(None)), H124);

    let mut m125a = m124.increment(None);
    dict_mut(&mut m125a.data, "dictB").remove(b"foo".as_slice());
    let mut m125b = m124.increment(None);
    m125b.data.insert(b"int1".to_vec(), int(5));
    let b125a = m125a.serialize(None);
    let b125b = m125b.serialize(None);
    assert_eq!(hex::encode(h_of(&b125a)), H125A);
    assert_eq!(hex::encode(h_of(&b125b)), H125B);

    let h122 = ConfigMessage::parse(&m123(), None, DEFAULT_LAG)
        .unwrap()
        .lagged
        .keys()
        .find(|k| k.0 == 122)
        .unwrap()
        .1;
    let h123 = h_of(&m123());
    let m126_expected = cat(&[
        b"d1:#i126e1:&d5:dictAd7:goodbyeli123ei456ee5:helloi123ee5:dictBd5:addedi9999e7:changedi1e6:nestedd1:ai1eee4:goodli99ei123e3:Foo3:bare4:int1i5e4:int2i2e7:string25:hello7:string33:omge1:<l",
        b"li122e32:",
        &h122,
        b"dee",
        b"li123e32:",
        &h123,
        b"d4:int01:-4:int10:4:int20:ee",
        b"li124e32:",
        &h(H124),
        DIFF124,
        b"e",
        b"li125e32:",
        &h(H125A),
        b"d5:dictBd3:foo1:-eee",
        b"li125e32:",
        &h(H125B),
        b"d4:int10:ee",
        b"e1:=dee",
    ]);

    let (m126, idx) = merged_bytes(&[&b125a, &b125b]);
    assert_eq!(idx, None);
    assert_eq!(
        String::from_utf8_lossy(&m126),
        String::from_utf8_lossy(&m126_expected)
    );
    assert_eq!(m126, m126_expected);
    // order and already-included messages do not matter
    let b124 = m124.serialize(None);
    assert_eq!(merged_bytes(&[&b125b, &b125a]).0, m126_expected);
    assert_eq!(merged_bytes(&[&b124, &b125b, &b125a]).0, m126_expected);
    assert_eq!(merged_bytes(&[&b125b, &b125a, &b124]).0, m126_expected);
    // a seqno-120 message is too old next to 125
    let mut m120b = MutableConfigMessage::new(118, DEFAULT_LAG)
        .increment(None)
        .increment(None);
    m120b.data.insert(b"too old".to_vec(), st("won't see"));
    let b120b = m120b.serialize(None);
    assert_eq!(merged_bytes(&[&b125b, &b120b, &b125a]).0, m126_expected);
}

#[test]
fn example_4_complex_conflict() {
    let m123b = m123();
    let m123 = ConfigMessage::parse(&m123b, None, DEFAULT_LAG).unwrap();
    let mut m124a = m123.increment(DEFAULT_LAG);
    let b = dict_mut(&mut m124a.data, "dictB");
    b.insert(b"foo".to_vec(), int(66));
    b.insert(b"answer".to_vec(), int(42));
    let mut m124b = m123.increment(DEFAULT_LAG);
    updates_124(&mut m124b);
    assert_eq!(hex::encode(m124b.hash(None)), H124);
    let mut m125a = m124b.increment(None);
    dict_mut(&mut m125a.data, "dictB").remove(b"foo".as_slice());
    let mut m125b = m124b.increment(None);
    m125b.data.insert(b"int1".to_vec(), int(5));
    let (b124a, b125a, b125b) = (
        m124a.serialize(None),
        m125a.serialize(None),
        m125b.serialize(None),
    );
    let (m126a, _) = merged_bytes(&[&b125a, &b125b]);
    let mut m120b = MutableConfigMessage::new(118, DEFAULT_LAG)
        .increment(None)
        .increment(None);
    m120b.data.insert(b"too old".to_vec(), st("won't see"));
    let b120b = m120b.serialize(None);
    let (m126b, idx) = merged_bytes(&[&b125b, &b124a, &b125a, &m123b, &b120b]);
    assert_eq!(idx, None);
    assert!(h_of(&b124a) < h_of(&m124b.serialize(None)));
    assert!(h_of(&m126a) < h_of(&m126b));

    let out = merge_messages(&[&m126a, &m126b], &SigKeys::default(), DEFAULT_LAG).unwrap();
    let Merged::Merged(mut m127) = out.result else {
        panic!("expected a merge")
    };
    assert_eq!(m127.seqno, 127);
    set_mut(dict_mut(&mut m127.data, "dictA"), "goodbye").insert(Scalar::Int(789));
    let b127 = m127.serialize(None);
    let expected = cat(&[
        b"d1:#i127e1:&d5:dictAd7:goodbyeli123ei456ei789ee5:helloi123ee5:dictBd5:addedi9999e6:answeri42e7:changedi1e6:nestedd1:ai1eee4:goodli99ei123e3:Foo3:bare4:int1i5e4:int2i2e7:string25:hello7:string33:omge1:<l",
        b"li123e32:",
        &h_of(&m123b),
        b"d4:int01:-4:int10:4:int20:ee",
        b"li124e32:",
        &h_of(&b124a),
        b"d5:dictBd6:answer0:3:foo0:eee",
        b"li124e32:",
        &h(H124),
        DIFF124,
        b"e",
        b"li125e32:",
        &h(H125A),
        b"d5:dictBd3:foo1:-eee",
        b"li125e32:",
        &h(H125B),
        b"d4:int10:ee",
        b"li126e32:",
        &h_of(&m126a),
        b"dee",
        b"li126e32:",
        &h_of(&m126b),
        b"dee",
        b"e1:=d5:dictAd7:goodbyelli789eeleeeee",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&b127),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(b127, expected);

    // m127 supersedes 125a and 126b: loading them together keeps m127 as-is.
    let (again, idx) = merged_bytes(&[&b127, &b125a, &m126b]);
    assert_eq!(idx, Some(0));
    assert_eq!(h_of(&again), h_of(&b127));
}

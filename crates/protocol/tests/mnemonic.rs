//! Recovery phrase: libsession vectors, decode tolerances, error reporting, round trips.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::identity::Seed;
use session_protocol::mnemonic::{
    decode, encode, encode_with_checksum, phrase_to_seed, seed_to_phrase, suggestions, word_at,
    MnemonicError, WORD_COUNT,
};

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(include_str!("vectors/mnemonic.json")).unwrap();
    v["cases"].as_array().unwrap().clone()
}

#[test]
fn word_list_is_the_vector_list() {
    let list: Vec<&str> = include_str!("vectors/mnemonic-english.txt")
        .lines()
        .skip(1)
        .collect();
    assert_eq!(list.len(), WORD_COUNT);
    for (i, w) in list.iter().enumerate() {
        assert_eq!(word_at(i), Some(*w));
    }
    assert_eq!(word_at(WORD_COUNT), None);
    let mut prefixes: Vec<&str> = list.iter().map(|w| &w[..3]).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    assert_eq!(prefixes.len(), WORD_COUNT);
}

#[test]
fn vectors_encode_and_decode() {
    let cases = cases();
    assert_eq!(cases.len(), 5);
    for case in &cases {
        let bytes = hex::decode(case["bytes_hex"].as_str().unwrap()).unwrap();
        let words = case["words"].as_str().unwrap();
        let encoded = if case["checksum"].as_bool().unwrap() {
            encode_with_checksum(&bytes).unwrap()
        } else {
            encode(&bytes).unwrap()
        };
        assert_eq!(encoded.join(" "), words);
        assert_eq!(
            decode(words).unwrap().as_slice(),
            bytes.as_slice(),
            "{words}"
        );
        if bytes.len() == 16 {
            let seed = Seed::from_bytes(bytes.clone().try_into().unwrap());
            assert_eq!(seed_to_phrase(&seed), words);
            assert_eq!(phrase_to_seed(words).unwrap().as_bytes(), seed.as_bytes());
        }
    }
}

#[test]
fn twelve_words_without_checksum_are_accepted() {
    let words = "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed";
    let seed = phrase_to_seed(words).unwrap();
    assert_eq!(
        hex::encode(seed.as_bytes()),
        "000102030405060708090a0b0c0d0e0f"
    );
}

#[test]
fn tolerances_prefix_case_whitespace_typos() {
    let expected = "000102030405060708090a0b0c0d0e0f";
    for phrase in [
        "ama buf cak ent sym tig lam maz nes pyt dus fax fax",
        "amazing buffalo cakewalk entranced symptomatic tigers lambda mazes nestled pythons dustbin faxing faxzz",
        "  AMAZE Buffet\tcake\n entrance  symptoms tiger lamb maze nestle python dusted faxed faxed  ",
        "amaze\u{a0}buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed",
    ] {
        let seed = phrase_to_seed(phrase).unwrap();
        assert_eq!(hex::encode(seed.as_bytes()), expected, "{phrase}");
        assert_eq!(hex::encode(decode(phrase).unwrap().as_slice()), expected);
    }
}

#[test]
fn overflowing_triplet_is_rejected() {
    assert_eq!(
        decode("abbey abbey zoom").unwrap_err(),
        MnemonicError::InvalidWordTriplet { position: 1 }
    );
    let phrase = "abbey abbey abbey abbey abbey zoom abbey abbey abbey abbey abbey abbey";
    let err = phrase_to_seed(phrase).unwrap_err();
    assert_eq!(err, MnemonicError::InvalidWordTriplet { position: 4 });
    assert!(err.to_string().contains("words 4 to 6"), "{err}");
}

#[test]
fn transposed_words_fail_checksum() {
    let good =
        "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed";
    let mut words: Vec<&str> = good.split(' ').collect();
    words.swap(3, 4);
    let swapped = words.join(" ");
    assert_eq!(
        phrase_to_seed(&swapped).unwrap_err(),
        MnemonicError::BadChecksum
    );
    // A wrong checksum word (valid word, wrong choice).
    let wrong = good.replace("faxed faxed", "faxed abbey");
    assert_eq!(
        phrase_to_seed(&wrong).unwrap_err(),
        MnemonicError::BadChecksum
    );
    assert_eq!(decode(&wrong).unwrap_err(), MnemonicError::BadChecksum);
}

#[test]
fn unknown_words_are_reported_with_position_and_suggestions() {
    let phrase =
        "amaze buffet cake xqzzy symptoms tiger lamb maze nestle python dusted faxed faxed";
    let err = phrase_to_seed(phrase).unwrap_err();
    match &err {
        MnemonicError::UnknownWord {
            position,
            word,
            suggestions,
        } => {
            assert_eq!(*position, 4);
            assert_eq!(word, "xqzzy");
            assert!(!suggestions.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("word 4"), "{message}");
    assert!(message.contains("xqzzy"), "{message}");
    // Debug (for logs) does not show the typed word.
    assert!(!format!("{err:?}").contains("xqzzy"));

    // One- and two-letter tokens are unknown even if they start a list word.
    let err = decode("ab buffet cake").unwrap_err();
    assert!(matches!(
        err,
        MnemonicError::UnknownWord { position: 1, .. }
    ));
    if let MnemonicError::UnknownWord { suggestions, .. } = err {
        assert_eq!(suggestions, vec!["abbey", "abducts", "ability"]);
    }
}

#[test]
fn suggestions_prefer_prefix_then_edit_distance() {
    assert_eq!(suggestions("zo", 3), vec!["zodiac", "zombie", "zones"]);
    assert_eq!(suggestions("abbye", 1), vec!["abbey"]);
    assert_eq!(suggestions("Tiger", 1), vec!["tiger"]);
    assert_eq!(suggestions("amzae", 1), vec!["amaze"]);
    assert!(suggestions("", 3).is_empty());
    assert!(suggestions("abc", 0).is_empty());
    assert_eq!(suggestions("q", 5).len(), 5);
}

#[test]
fn word_count_errors() {
    let eleven = "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted";
    let err = phrase_to_seed(eleven).unwrap_err();
    assert_eq!(err, MnemonicError::WrongWordCount { found: 11 });
    assert!(err.to_string().contains("13 words"), "{err}");
    assert!(err.to_string().contains("12"), "{err}");
    assert!(err.to_string().contains("11"), "{err}");
    assert_eq!(
        phrase_to_seed("").unwrap_err(),
        MnemonicError::WrongWordCount { found: 0 }
    );
    let long = "abbey ".repeat(25);
    assert_eq!(
        phrase_to_seed(&long).unwrap_err(),
        MnemonicError::WrongWordCount { found: 25 }
    );
    assert_eq!(
        decode(eleven).unwrap_err(),
        MnemonicError::InvalidPhraseLength { found: 11 }
    );
    assert_eq!(
        decode("  ").unwrap_err(),
        MnemonicError::InvalidPhraseLength { found: 0 }
    );
    assert_eq!(
        encode(&[1, 2, 3]).unwrap_err(),
        MnemonicError::InvalidByteLength { len: 3 }
    );
    assert!(encode(&[]).unwrap().is_empty());
    assert!(encode_with_checksum(&[]).unwrap().is_empty());
}

#[test]
fn random_seeds_round_trip() {
    for _ in 0..200 {
        let seed = Seed::generate();
        let phrase = seed_to_phrase(&seed);
        assert_eq!(phrase.split(' ').count(), 13);
        assert_eq!(phrase_to_seed(&phrase).unwrap().as_bytes(), seed.as_bytes());
        let twelve: Vec<&str> = phrase.split(' ').take(12).collect();
        assert_eq!(
            phrase_to_seed(&twelve.join(" ")).unwrap().as_bytes(),
            seed.as_bytes()
        );
    }
}

proptest! {
    #[test]
    fn bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64usize)
        .prop_map(|mut v| { v.truncate(v.len() / 4 * 4); v })) {
        let plain = encode(&bytes).unwrap().join(" ");
        let checked = encode_with_checksum(&bytes).unwrap().join(" ");
        if !bytes.is_empty() {
            prop_assert_eq!(&decode(&plain).unwrap()[..], &bytes[..]);
            prop_assert_eq!(&decode(&checked).unwrap()[..], &bytes[..]);
        }
    }

    #[test]
    fn phrase_decoders_never_panic(s in "\\PC*") {
        let _ = phrase_to_seed(&s);
        let _ = decode(&s);
        let _ = suggestions(&s, 3);
    }

    #[test]
    fn word_soup_never_panics(words in proptest::collection::vec(0usize..WORD_COUNT, 0..30)) {
        let phrase: Vec<&str> = words.iter().map(|&i| word_at(i).unwrap()).collect();
        let phrase = phrase.join(" ");
        let _ = phrase_to_seed(&phrase);
        if let Ok(bytes) = decode(&phrase) {
            prop_assert_eq!(bytes.len(), words.len() / 3 * 4);
        }
    }
}

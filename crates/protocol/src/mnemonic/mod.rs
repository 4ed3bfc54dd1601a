//! The recovery phrase: seed bytes as English words (PROTOCOL.md §2), compatible with the
//! Session desktop and libsession (Monero/Electrum scheme, 1626 words, 3-letter prefixes).
//!
//! Every 4 bytes (a little-endian `u32`) become 3 words; a 16-byte seed is 12 words plus a
//! 13th checksum word chosen by CRC-32 over the words' 3-letter prefixes. Decoding matches words
//! by their first 3 letters, case-insensitively, so typos after the prefix are tolerated.

use std::fmt;

use zeroize::Zeroizing;

use crate::identity::Seed;

mod words;

use words::{word_list, WordList, PREFIX_LEN};

/// Number of words in the list (`n` in the encoding formulas).
pub const WORD_COUNT: usize = 1626;
const N: u64 = WORD_COUNT as u64;
/// Words in a seed phrase including the checksum word.
pub const SEED_PHRASE_WORDS: usize = 13;

/// Why a phrase or byte string could not be converted.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum MnemonicError {
    /// A word that matches no list word by its first three letters.
    #[error("word {position}, \"{word}\", is not in the recovery word list{}", did_you_mean(.suggestions))]
    UnknownWord {
        /// 1-based position of the word in the phrase.
        position: usize,
        /// The word as typed.
        word: String,
        /// Closest list words, best first.
        suggestions: Vec<&'static str>,
    },
    /// The last word does not match the checksum of the others.
    #[error("the words do not form a valid recovery phrase: the checksum word does not match (check for a mistyped or swapped word)")]
    BadChecksum,
    /// A recovery phrase with the wrong number of words.
    #[error("a recovery phrase has 13 words (12 are accepted too), but this one has {found}")]
    WrongWordCount {
        /// Number of words found.
        found: usize,
    },
    /// A generic phrase whose word count fits no encoding.
    #[error("a phrase must have a multiple of 3 words, plus an optional checksum word, but this one has {found}")]
    InvalidPhraseLength {
        /// Number of words found.
        found: usize,
    },
    /// Three words that do not encode any 4-byte value.
    #[error("words {position} to {} do not form a valid group of three (check for a mistyped word)", .position + 2)]
    InvalidWordTriplet {
        /// 1-based position of the first word of the group.
        position: usize,
    },
    /// Bytes to encode whose length is not a multiple of 4.
    #[error("only a multiple of 4 bytes can be written as words, but {len} bytes were given")]
    InvalidByteLength {
        /// Number of bytes given.
        len: usize,
    },
}

fn did_you_mean(suggestions: &[&'static str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

// Manual Debug: the typed word is part of a secret phrase, so logs never see it.
impl fmt::Debug for MnemonicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MnemonicError::UnknownWord { position, .. } => f
                .debug_struct("UnknownWord")
                .field("position", position)
                .field("word", &"<redacted>")
                .finish_non_exhaustive(),
            MnemonicError::BadChecksum => f.write_str("BadChecksum"),
            MnemonicError::WrongWordCount { found } => f
                .debug_struct("WrongWordCount")
                .field("found", found)
                .finish(),
            MnemonicError::InvalidPhraseLength { found } => f
                .debug_struct("InvalidPhraseLength")
                .field("found", found)
                .finish(),
            MnemonicError::InvalidWordTriplet { position } => f
                .debug_struct("InvalidWordTriplet")
                .field("position", position)
                .finish(),
            MnemonicError::InvalidByteLength { len } => f
                .debug_struct("InvalidByteLength")
                .field("len", len)
                .finish(),
        }
    }
}

/// Number of suggestions put into [`MnemonicError::UnknownWord`].
const ERROR_SUGGESTIONS: usize = 3;

/// The three word indices for one little-endian 4-byte chunk.
fn chunk_indices(chunk: [u8; 4]) -> [usize; 3] {
    let x = u64::from(u32::from_le_bytes(chunk));
    let w1 = x % N;
    let w2 = (x / N + w1) % N;
    let w3 = (x / N / N + w2) % N;
    // Each value is < 1626, so the conversions are lossless.
    [w1 as usize, w2 as usize, w3 as usize]
}

/// The index (into the data words) of the checksum word: CRC-32 of the concatenated prefixes.
fn checksum_position(list: &WordList, indices: &[usize]) -> usize {
    // Prefixes are gathered into a stack buffer: hashing 3 bytes at a time is several times
    // slower than one pass over the whole string.
    const WORDS_PER_BLOCK: usize = 24;
    let mut crc = crc32fast::Hasher::new();
    let mut buffer = [0u8; WORDS_PER_BLOCK * PREFIX_LEN];
    for block in indices.chunks(WORDS_PER_BLOCK) {
        for (&index, slot) in block.iter().zip(buffer.chunks_exact_mut(PREFIX_LEN)) {
            slot.copy_from_slice(&list.prefix(index));
        }
        crc.update(buffer.get(..block.len() * PREFIX_LEN).unwrap_or_default());
    }
    // indices is never empty when this is called; max(1) keeps the modulo defined.
    crc.finalize() as usize % indices.len().max(1)
}

fn encode_indices(bytes: &[u8]) -> Result<Vec<usize>, MnemonicError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(MnemonicError::InvalidByteLength { len: bytes.len() });
    }
    let mut indices = Vec::with_capacity(bytes.len() / 4 * 3 + 1);
    for chunk in bytes.chunks_exact(4) {
        if let Ok(chunk) = <[u8; 4]>::try_from(chunk) {
            indices.extend_from_slice(&chunk_indices(chunk));
        }
    }
    Ok(indices)
}

/// Writes `bytes` (a multiple of 4 long) as words, 3 per 4 bytes, without a checksum word.
pub fn encode(bytes: &[u8]) -> Result<Vec<&'static str>, MnemonicError> {
    let list = word_list();
    let indices = encode_indices(bytes)?;
    Ok(indices.into_iter().map(|i| list.word(i)).collect())
}

/// Like [`encode`], followed by the checksum word (a repeat of one of the words).
pub fn encode_with_checksum(bytes: &[u8]) -> Result<Vec<&'static str>, MnemonicError> {
    let list = word_list();
    let mut indices = encode_indices(bytes)?;
    if !indices.is_empty() {
        let position = checksum_position(list, &indices);
        if let Some(&check) = indices.get(position) {
            indices.push(check);
        }
    }
    Ok(indices.into_iter().map(|i| list.word(i)).collect())
}

/// The 13-word recovery phrase of a seed, words separated by single spaces.
pub fn seed_to_phrase(seed: &Seed) -> String {
    let list = word_list();
    let mut indices = [0usize; 13];
    for (slot, chunk) in indices
        .chunks_exact_mut(3)
        .zip(seed.as_bytes().chunks_exact(4))
    {
        if let Ok(chunk) = <[u8; 4]>::try_from(chunk) {
            slot.copy_from_slice(&chunk_indices(chunk));
        }
    }
    let (data, check) = indices.split_at_mut(12);
    let position = checksum_position(list, data);
    if let (Some(slot), Some(&value)) = (check.first_mut(), data.get(position)) {
        *slot = value;
    }
    let mut phrase = String::with_capacity(13 * 9);
    for (i, &index) in indices.iter().enumerate() {
        if i > 0 {
            phrase.push(' ');
        }
        phrase.push_str(list.word(index));
    }
    phrase
}

/// Parses a 13-word recovery phrase (12 words without the checksum are accepted too) into the
/// 16-byte seed.
pub fn phrase_to_seed(phrase: &str) -> Result<Seed, MnemonicError> {
    let mut indices = Zeroizing::new([0usize; 13]);
    let found = match word_list().parse_ascii(phrase.as_bytes(), indices.as_mut()) {
        Some(found) => found,
        None => parse_words(phrase, indices.as_mut())?,
    };
    if found != 12 && found != 13 {
        return Err(MnemonicError::WrongWordCount { found });
    }
    let mut seed = Zeroizing::new([0u8; 16]);
    decode_indices(indices.get(..found).unwrap_or_default(), seed.as_mut())?;
    Ok(Seed::from_bytes(*seed))
}

/// Phrases up to this many words are parsed on the stack.
const STACK_WORDS: usize = 64;

/// Parses a phrase of any supported length: `3k` words (no checksum) or `3k + 1` (checksum
/// last) decode to `4k` bytes, e.g. 12/13 words → 16 bytes, 24/25 → 32, 48 → 64.
pub fn decode(phrase: &str) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    let mut stack = Zeroizing::new([0usize; STACK_WORDS]);
    let mut heap = Zeroizing::new(Vec::new());
    let indices: &[usize] = match word_list().parse_ascii(phrase.as_bytes(), stack.as_mut()) {
        Some(found) => stack.get(..found).unwrap_or_default(),
        None => {
            let list = word_list();
            for (i, token) in phrase.split_whitespace().enumerate() {
                heap.push(lookup(list, token, i + 1)?);
            }
            &heap
        }
    };
    let found = indices.len();
    if found == 0 || found % 3 == 2 {
        return Err(MnemonicError::InvalidPhraseLength { found });
    }
    let mut out = Zeroizing::new(vec![0u8; found / 3 * 4]);
    decode_indices(indices, &mut out)?;
    Ok(out)
}

/// The general (slow) path: looks up every whitespace-separated word of `phrase` into `out`
/// and reports the first unknown word precisely. Returns the word count, which may exceed
/// `out.len()`; the extra words are only counted and checked.
fn parse_words(phrase: &str, out: &mut [usize]) -> Result<usize, MnemonicError> {
    let list = word_list();
    let mut count = 0;
    for token in phrase.split_whitespace() {
        let index = lookup(list, token, count + 1)?;
        if let Some(slot) = out.get_mut(count) {
            *slot = index;
        }
        count += 1;
    }
    Ok(count)
}

fn lookup(list: &WordList, token: &str, position: usize) -> Result<usize, MnemonicError> {
    list.index_of(token)
        .ok_or_else(|| MnemonicError::UnknownWord {
            position,
            word: token.to_owned(),
            suggestions: suggestions(token, ERROR_SUGGESTIONS),
        })
}

/// Turns word indices (`3k` data words, optionally one checksum word) into `4k` bytes in `out`.
fn decode_indices(indices: &[usize], out: &mut [u8]) -> Result<(), MnemonicError> {
    let data_len = indices.len() / 3 * 3;
    let (data, check) = indices.split_at(data_len);
    for (group, (triplet, bytes)) in data
        .chunks_exact(3)
        .zip(out.chunks_exact_mut(4))
        .enumerate()
    {
        let &[w1, w2, w3] = triplet else {
            continue;
        };
        let (w1, w2, w3) = (w1 as u64, w2 as u64, w3 as u64);
        let x = w1 + N * ((N - w1 + w2) % N) + N * N * ((N - w2 + w3) % N);
        let value = u32::try_from(x).ok().filter(|_| x % N == w1).ok_or(
            MnemonicError::InvalidWordTriplet {
                position: group * 3 + 1,
            },
        )?;
        bytes.copy_from_slice(&value.to_le_bytes());
    }
    if let Some(&given) = check.first() {
        let position = checksum_position(word_list(), data);
        if data.get(position) != Some(&given) {
            return Err(MnemonicError::BadChecksum);
        }
    }
    Ok(())
}

/// Typed text beyond this many characters is ignored by [`suggestions`] (list words have at
/// most 12 letters; this bounds the work for a pasted wall of text).
const MAX_SUGGESTION_INPUT: usize = 16;

/// Up to `n` list words closest to `word`: words it is a prefix of first (in list order), then
/// by edit distance (adjacent swaps count as one edit), ties in list order.
pub fn suggestions(word: &str, n: usize) -> Vec<&'static str> {
    let list = word_list();
    let typed: String = word
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_SUGGESTION_INPUT)
        .collect();
    if n == 0 || typed.is_empty() {
        return Vec::new();
    }
    let typed_chars: Vec<char> = typed.chars().collect();
    let mut rows = EditRows::default();
    let mut scored: Vec<(usize, usize)> = list
        .words()
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let score = if w.starts_with(&typed) {
                0
            } else {
                1 + rows.distance(&typed_chars, w)
            };
            (score, i)
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(n)
        .map(|(_, i)| list.word(i))
        .collect()
}

/// Scratch rows for [`EditRows::distance`], reused across the whole word list.
#[derive(Default)]
struct EditRows {
    two_back: Vec<usize>,
    prev: Vec<usize>,
    current: Vec<usize>,
    target: Vec<char>,
}

impl EditRows {
    /// Optimal-string-alignment distance between `a` and `b` (adjacent swaps count as one).
    fn distance(&mut self, a: &[char], b: &str) -> usize {
        let EditRows {
            two_back,
            prev,
            current,
            target,
        } = self;
        target.clear();
        target.extend(b.chars());
        let width = target.len() + 1;
        two_back.clear();
        two_back.resize(width, 0);
        prev.clear();
        prev.extend(0..width);
        current.clear();
        current.resize(width, 0);
        for (i, &ca) in a.iter().enumerate() {
            current[0] = i + 1;
            for (j, &cb) in target.iter().enumerate() {
                let substitution = prev[j] + usize::from(ca != cb);
                let mut best = substitution.min(prev[j + 1] + 1).min(current[j] + 1);
                let swapped =
                    i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && target.get(j - 1) == Some(&ca);
                if swapped {
                    best = best.min(two_back[j - 1] + 1);
                }
                current[j + 1] = best;
            }
            std::mem::swap(two_back, prev);
            std::mem::swap(prev, current);
        }
        prev.last().copied().unwrap_or_default()
    }
}

/// The list word at `index` (0..1626), e.g. for autocomplete.
pub fn word_at(index: usize) -> Option<&'static str> {
    word_list().words().get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fast and general parsing agree whenever the fast path answers.
    fn agree(phrase: &str) {
        let mut fast = [0usize; 16];
        let mut slow = [0usize; 16];
        if let Some(count) = word_list().parse_ascii(phrase.as_bytes(), &mut fast) {
            assert_eq!(parse_words(phrase, &mut slow), Ok(count), "{phrase:?}");
            assert_eq!(fast, slow, "{phrase:?}");
        }
    }

    #[test]
    fn fast_path_handles_the_usual_phrases() {
        let phrase =
            "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed";
        let mut out = [0usize; 13];
        assert_eq!(
            word_list().parse_ascii(phrase.as_bytes(), &mut out),
            Some(13)
        );
        assert_eq!(
            word_list().parse_ascii(b"  AMA  bufxyz ", &mut out),
            Some(2)
        );
        assert_eq!(word_list().parse_ascii(b"ama\tbuf", &mut out), None);
        assert_eq!(word_list().parse_ascii(b"ab buffet", &mut out), None);
        assert_eq!(word_list().parse_ascii("abbé".as_bytes(), &mut out), None);
        assert_eq!(
            word_list().parse_ascii(b"abbey ".repeat(14).as_slice(), &mut out),
            None
        );
        agree(phrase);
        agree("abbey1 zoo\x0bzone\x01 zo");
    }

    proptest! {
        #[test]
        fn fast_and_general_paths_agree(s in "[a-cA-Cz ,.\t\n\x0b\x01]{0,60}") {
            agree(&s);
        }

        #[test]
        fn fast_and_general_paths_agree_on_words(
            words in proptest::collection::vec(0usize..WORD_COUNT, 0..16),
            sep in "[ ]{1,3}",
        ) {
            let phrase: Vec<&str> = words.iter().map(|&i| word_list().word(i)).collect();
            let phrase = phrase.join(&sep);
            let mut fast = [0usize; 16];
            prop_assert_eq!(word_list().parse_ascii(phrase.as_bytes(), &mut fast), Some(words.len()));
            agree(&phrase);
        }
    }
}

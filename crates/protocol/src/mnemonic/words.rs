//! The English word list and its 3-letter-prefix lookup table, built once.

use std::sync::OnceLock;

/// The list, one word a line; lines starting with `#` are comments.
const ENGLISH: &str = include_str!("english.txt");

/// Words are identified by this many leading letters.
pub(super) const PREFIX_LEN: usize = 3;

/// Table slots: one per three-letter a–z prefix.
const TABLE_LEN: usize = 26 * 26 * 26;

/// Marks an empty table slot.
const NO_WORD: u16 = u16::MAX;

/// The word list plus a direct-indexed prefix → word-index table.
pub(super) struct WordList {
    words: Vec<&'static str>,
    /// The first three bytes of each word, fixed-size so copying them is a plain load.
    prefixes: Vec<[u8; PREFIX_LEN]>,
    by_prefix: Box<[u16]>,
}

/// The table slot of a 3-letter prefix, if all three are ASCII letters (any case).
fn slot(prefix: &[u8]) -> Option<usize> {
    let [a, b, c] = prefix else {
        return None;
    };
    let letter = |x: u8| {
        let lower = x.to_ascii_lowercase();
        lower
            .is_ascii_lowercase()
            .then(|| usize::from(lower - b'a'))
    };
    Some((letter(*a)? * 26 + letter(*b)?) * 26 + letter(*c)?)
}

impl WordList {
    fn build() -> WordList {
        let words: Vec<&'static str> = ENGLISH
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let mut by_prefix = vec![NO_WORD; TABLE_LEN].into_boxed_slice();
        let mut prefixes = Vec::with_capacity(words.len());
        for (index, word) in words.iter().enumerate() {
            let prefix = word
                .as_bytes()
                .first_chunk::<PREFIX_LEN>()
                .copied()
                .unwrap_or_default();
            prefixes.push(prefix);
            if let (Some(slot), Ok(index)) = (slot(&prefix), u16::try_from(index)) {
                if let Some(cell) = by_prefix.get_mut(slot) {
                    *cell = index;
                }
            }
        }
        WordList {
            words,
            prefixes,
            by_prefix,
        }
    }

    /// All words in list order.
    pub(super) fn words(&self) -> &[&'static str] {
        &self.words
    }

    /// The word at `index`; indices come from this module's own arithmetic (`< 1626`).
    pub(super) fn word(&self, index: usize) -> &'static str {
        self.words.get(index).copied().unwrap_or_default()
    }

    /// The 3-letter prefix bytes of the word at `index`.
    pub(super) fn prefix(&self, index: usize) -> [u8; PREFIX_LEN] {
        self.prefixes.get(index).copied().unwrap_or_default()
    }

    /// Fast path for the usual input: printable ASCII, words separated by spaces, every word
    /// known, at most `out.len()` words. Returns `None` for anything else (tabs, newlines,
    /// non-ASCII, unknown or short words, too many words); the caller then takes the general
    /// path, which gives the same result or a precise error.
    pub(super) fn parse_ascii(&self, phrase: &[u8], out: &mut [usize]) -> Option<usize> {
        // Printable ASCII only (branch-free so it vectorizes): then the only whitespace is the
        // plain space and words can be split on it with a tight loop.
        let printable = phrase
            .iter()
            .fold(true, |ok, &b| ok & (b.wrapping_sub(b' ') < 0x5f));
        if !printable {
            return None;
        }
        let mut count = 0;
        for word in phrase.split(|&b| b == b' ') {
            if word.is_empty() {
                continue;
            }
            let index = *self.by_prefix.get(slot(word.get(..PREFIX_LEN)?)?)?;
            if index == NO_WORD {
                return None;
            }
            *out.get_mut(count)? = usize::from(index);
            count += 1;
        }
        Some(count)
    }

    /// The index of the list word whose prefix matches the first 3 letters of `token`
    /// (case-insensitive). Tokens shorter than 3 letters match nothing.
    pub(super) fn index_of(&self, token: &str) -> Option<usize> {
        let slot = slot(token.as_bytes().get(..PREFIX_LEN)?)?;
        match self.by_prefix.get(slot) {
            Some(&NO_WORD) | None => None,
            Some(&index) => Some(usize::from(index)),
        }
    }
}

/// The shared word list, built on first use.
pub(super) fn word_list() -> &'static WordList {
    static LIST: OnceLock<WordList> = OnceLock::new();
    LIST.get_or_init(WordList::build)
}

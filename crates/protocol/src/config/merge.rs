//! Loading several config messages at once and merging them (CONFIG-GROUPS.md §1.5).
//!
//! Confirmed against libsession-util `src/config.cpp` (`ConfigMessage(const std::vector<…>&)`):
//! 1. unparseable / unverifiable inputs are skipped (their indices are reported);
//! 2. an input is redundant if another input's `<` holds its (seqno, hash), if an earlier input
//!    has the same (seqno, hash), or if `seqno + lag <= max seqno`;
//! 3. one non-redundant input ⇒ it is used as-is;
//! 4. several and read-only (verifier, no signer) ⇒ the highest (seqno, hash) is used as-is;
//! 5. otherwise the merge: seqno = max + 1, data starts from the highest input's data, the replay
//!    map (first insertion wins, inputs visited highest first, each input's own `=` before its
//!    `<` entries) is applied in ascending (seqno, hash) order, empty sets/dicts are pruned, and
//!    the replay entries become the new `<` (window-filtered when serialized); `=` is empty.
//!
//! Unknown top-level keys of the inputs are not carried into a merged message (upstream starts
//! the merged message from scratch and copies only the data).

use std::collections::BTreeMap;

use thiserror::Error;

use super::data::{self, ConfigDict, Diff};
use super::message::{
    ConfigMessage, LaggedDiffs, MessageError, MutableConfigMessage, SeqnoHash, SigKeys,
};

/// Merge failure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MergeError {
    /// Every input failed to parse or verify.
    #[error("none of the {0} config messages could be parsed or verified")]
    NoValidMessages(usize),
}

/// What loading several messages produced.
#[derive(Debug, Clone)]
pub enum Merged {
    /// One input supersedes all the others; it is used unchanged.
    Single {
        /// index of that input
        index: usize,
        /// the message
        message: ConfigMessage,
    },
    /// A new conflict-resolution message (seqno = max + 1, empty `=`), to be pushed.
    Merged(MutableConfigMessage),
}

/// Result of [`merge_messages`].
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    /// the chosen or merged message
    pub result: Merged,
    /// indices of inputs that failed to parse/verify, with the reason
    pub rejected: Vec<(usize, MessageError)>,
}

impl MergeOutcome {
    /// Index of the single input used, or `None` if a merge was made.
    pub fn unmerged_index(&self) -> Option<usize> {
        match &self.result {
            Merged::Single { index, .. } => Some(*index),
            Merged::Merged(_) => None,
        }
    }

    /// Seqno of the result.
    pub fn seqno(&self) -> i64 {
        match &self.result {
            Merged::Single { message, .. } => message.seqno,
            Merged::Merged(m) => m.seqno,
        }
    }
}

/// Loads `inputs` (serialized messages) and merges them as libsession does.
pub fn merge_messages(
    inputs: &[&[u8]],
    keys: &SigKeys,
    lag: i64,
) -> Result<MergeOutcome, MergeError> {
    let mut rejected = Vec::new();
    let mut configs: Vec<(usize, ConfigMessage, bool)> = Vec::new();
    for (i, bytes) in inputs.iter().enumerate() {
        match ConfigMessage::parse(bytes, keys.verifier.as_ref(), lag) {
            Ok(m) => configs.push((i, m, false)),
            Err(e) => rejected.push((i, e)),
        }
    }
    if configs.is_empty() {
        return Err(MergeError::NoValidMessages(inputs.len()));
    }
    let max_seqno = configs
        .iter()
        .map(|(_, m, _)| m.seqno)
        .max()
        .unwrap_or(i64::MIN);
    for i in 0..configs.len() {
        let sh = configs[i].1.seqno_hash();
        let redundant = configs.iter().enumerate().any(|(j, (_, other, _))| {
            j != i && (other.lagged.contains_key(&sh) || (j < i && other.seqno_hash() == sh))
        }) || configs[i].1.seqno.saturating_add(lag) <= max_seqno;
        configs[i].2 = redundant;
    }
    let live: Vec<usize> = (0..configs.len()).filter(|&i| !configs[i].2).collect();

    let pick = |i: usize, configs: &mut Vec<(usize, ConfigMessage, bool)>| {
        let (index, message, _) = configs.swap_remove(i);
        Merged::Single { index, message }
    };
    if let [only] = live.as_slice() {
        let result = pick(*only, &mut configs);
        return Ok(MergeOutcome { result, rejected });
    }
    if keys.is_readonly() {
        // Highest (seqno, hash), preferring non-redundant ones (first maximum wins on ties, as
        // std::max_element does).
        let mut best = 0;
        for i in 1..configs.len() {
            let key = |c: &(usize, ConfigMessage, bool)| (!c.2, c.1.seqno_hash());
            if key(&configs[i]) > key(&configs[best]) {
                best = i;
            }
        }
        let result = pick(best, &mut configs);
        return Ok(MergeOutcome { result, rejected });
    }

    let mut live: Vec<ConfigMessage> = configs.into_iter().filter(|c| !c.2).map(|c| c.1).collect();
    live.sort_by_key(|m| std::cmp::Reverse(m.seqno_hash()));

    let mut data_out = live.first().map(|m| m.data.clone()).unwrap_or_default();
    let mut replay: BTreeMap<SeqnoHash, (&ConfigDict, &Diff)> = BTreeMap::new();
    for m in &live {
        replay.entry(m.seqno_hash()).or_insert((&m.data, &m.diff));
        for (sh, d) in &m.lagged {
            replay.entry(*sh).or_insert((&m.data, d));
        }
    }
    let mut lagged = LaggedDiffs::new();
    for (sh, (source, diff)) in &replay {
        data::apply_diff(&mut data_out, diff, source);
        lagged.insert(*sh, (*diff).clone());
    }
    data::prune(&mut data_out);

    let mut merged = MutableConfigMessage::new(max_seqno.saturating_add(1), lag);
    merged.orig_data = data_out.clone();
    merged.data = data_out;
    merged.lagged = lagged;
    Ok(MergeOutcome {
        result: Merged::Merged(merged),
        rejected,
    })
}

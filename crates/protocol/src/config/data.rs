//! The config data model (the `&` dict of a config message) and diffs (`=` / `<` entries).
//!
//! Confirmed against libsession-util `src/config.cpp` (`parse_data`, `load_diff`, `diff_impl`,
//! `apply_diff`, `prune_`):
//! * a value is a scalar (`i64` or bytes), a set (bt list, non-empty, strictly sorted with all
//!   ints before all strings) or a dict (non-empty except the top level);
//! * a diff entry is `""` (scalar set), `"-"` (scalar removed), a nested dict, or a list of exactly
//!   two sorted lists `[[added…],[removed…]]`;
//! * applying a diff whose type does not match the source value's type erases the key first.
//!
//! libsession's `load_diff` leaves an integer diff value unhandled; we refuse it as malformed.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use super::bt::BtValue;

/// A scalar: ints order before byte strings, ints numerically, strings byte-wise (derived `Ord`
/// follows the variant order, which is exactly the libsession set order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    /// signed 64-bit integer
    Int(i64),
    /// byte string
    Bytes(Vec<u8>),
}

impl Scalar {
    /// As a bt value.
    pub fn to_bt(&self) -> BtValue {
        match self {
            Scalar::Int(i) => BtValue::Int(*i),
            Scalar::Bytes(b) => BtValue::Bytes(b.clone()),
        }
    }

    fn from_bt(v: &BtValue) -> Option<Scalar> {
        match v {
            BtValue::Int(i) => Some(Scalar::Int(*i)),
            BtValue::Bytes(b) => Some(Scalar::Bytes(b.clone())),
            _ => None,
        }
    }
}

/// A config value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// int or bytes
    Scalar(Scalar),
    /// set of scalars (never empty once pruned)
    Set(BTreeSet<Scalar>),
    /// nested dict (never empty once pruned)
    Dict(ConfigDict),
}

/// A dict of config values keyed by bytes.
pub type ConfigDict = BTreeMap<Vec<u8>, ConfigValue>;

/// One entry of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffEntry {
    /// `""`: scalar added or changed
    Assigned,
    /// `"-"`: scalar removed
    Removed,
    /// changes inside a sub-dict
    Dict(Diff),
    /// `[[added],[removed]]` set change
    Set {
        /// added members
        added: BTreeSet<Scalar>,
        /// removed members
        removed: BTreeSet<Scalar>,
    },
}

/// A diff: the keys changed by one message.
pub type Diff = BTreeMap<Vec<u8>, DiffEntry>;

/// Malformed `&` data or diff.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DataError {
    /// A set was empty, unsorted, duplicated or held a non-scalar.
    #[error("config data holds an invalid set (empty, unsorted, duplicate or non-scalar members)")]
    BadSet,
    /// A nested dict was empty.
    #[error("config data holds an empty (unpruned) dict")]
    EmptyDict,
    /// `&` or a diff was not a dict.
    #[error("config data or diff is not a dict")]
    NotDict,
    /// A diff value other than `""`, `"-"`, a dict or a 2-list of sorted lists.
    #[error("config diff holds an invalid entry")]
    BadDiff,
}

/// Parses the top-level `&` dict.
pub fn parse_data(v: &BtValue) -> Result<ConfigDict, DataError> {
    match v {
        BtValue::Dict(d) => parse_dict(d),
        _ => Err(DataError::NotDict),
    }
}

fn parse_dict(d: &BTreeMap<Vec<u8>, BtValue>) -> Result<ConfigDict, DataError> {
    let mut out = ConfigDict::new();
    for (k, v) in d {
        let val = match v {
            BtValue::Int(i) => ConfigValue::Scalar(Scalar::Int(*i)),
            BtValue::Bytes(b) => ConfigValue::Scalar(Scalar::Bytes(b.clone())),
            BtValue::Dict(sub) => {
                if sub.is_empty() {
                    return Err(DataError::EmptyDict);
                }
                ConfigValue::Dict(parse_dict(sub)?)
            }
            BtValue::List(l) => ConfigValue::Set(parse_sorted_set(l, false)?),
        };
        out.insert(k.clone(), val);
    }
    Ok(out)
}

/// Parses a strictly sorted list of scalars; `allow_empty` for diff sub-lists.
fn parse_sorted_set(l: &[BtValue], allow_empty: bool) -> Result<BTreeSet<Scalar>, DataError> {
    if l.is_empty() && !allow_empty {
        return Err(DataError::BadSet);
    }
    let mut out = BTreeSet::new();
    let mut last: Option<Scalar> = None;
    for x in l {
        let s = Scalar::from_bt(x).ok_or(DataError::BadSet)?;
        if last.as_ref().is_some_and(|prev| *prev >= s) {
            return Err(DataError::BadSet);
        }
        last = Some(s.clone());
        out.insert(s);
    }
    Ok(out)
}

/// Encodes data as a bt dict.
pub fn data_to_bt(d: &ConfigDict) -> BtValue {
    BtValue::Dict(d.iter().map(|(k, v)| (k.clone(), value_to_bt(v))).collect())
}

/// Encodes one value.
pub fn value_to_bt(v: &ConfigValue) -> BtValue {
    match v {
        ConfigValue::Scalar(s) => s.to_bt(),
        ConfigValue::Set(s) => BtValue::List(s.iter().map(Scalar::to_bt).collect()),
        ConfigValue::Dict(d) => data_to_bt(d),
    }
}

/// Removes empty sets and empty sub-dicts (recursively). Returns true if anything was removed.
pub fn prune(d: &mut ConfigDict) -> bool {
    let mut changed = false;
    d.retain(|_, v| {
        let keep = match v {
            ConfigValue::Scalar(_) => true,
            ConfigValue::Set(s) => !s.is_empty(),
            ConfigValue::Dict(sub) => {
                changed |= prune(sub);
                !sub.is_empty()
            }
        };
        changed |= !keep;
        keep
    });
    changed
}

/// Parses a diff dict (`=` or the third element of a `<` entry).
pub fn parse_diff(v: &BtValue) -> Result<Diff, DataError> {
    let d = v.as_dict().ok_or(DataError::NotDict)?;
    let mut out = Diff::new();
    for (k, v) in d {
        let e = match v {
            BtValue::Bytes(b) if b.is_empty() => DiffEntry::Assigned,
            BtValue::Bytes(b) if b == b"-" => DiffEntry::Removed,
            BtValue::Dict(_) => DiffEntry::Dict(parse_diff(v)?),
            BtValue::List(l) => match l.as_slice() {
                [BtValue::List(a), BtValue::List(r)] => DiffEntry::Set {
                    added: parse_sorted_set(a, true).map_err(|_| DataError::BadDiff)?,
                    removed: parse_sorted_set(r, true).map_err(|_| DataError::BadDiff)?,
                },
                _ => return Err(DataError::BadDiff),
            },
            _ => return Err(DataError::BadDiff),
        };
        out.insert(k.clone(), e);
    }
    Ok(out)
}

/// Encodes a diff as a bt dict.
pub fn diff_to_bt(d: &Diff) -> BtValue {
    BtValue::Dict(
        d.iter()
            .map(|(k, e)| {
                let v = match e {
                    DiffEntry::Assigned => BtValue::Bytes(Vec::new()),
                    DiffEntry::Removed => BtValue::bytes("-"),
                    DiffEntry::Dict(sub) => diff_to_bt(sub),
                    DiffEntry::Set { added, removed } => BtValue::List(vec![
                        BtValue::List(added.iter().map(Scalar::to_bt).collect()),
                        BtValue::List(removed.iter().map(Scalar::to_bt).collect()),
                    ]),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

fn set_diff(old: &BTreeSet<Scalar>, new: &BTreeSet<Scalar>) -> Option<DiffEntry> {
    let added: BTreeSet<Scalar> = new.difference(old).cloned().collect();
    let removed: BTreeSet<Scalar> = old.difference(new).cloned().collect();
    if added.is_empty() && removed.is_empty() {
        None
    } else {
        Some(DiffEntry::Set { added, removed })
    }
}

fn added_entry(v: &ConfigValue) -> DiffEntry {
    match v {
        ConfigValue::Scalar(_) => DiffEntry::Assigned,
        ConfigValue::Set(s) => DiffEntry::Set {
            added: s.clone(),
            removed: BTreeSet::new(),
        },
        ConfigValue::Dict(d) => DiffEntry::Dict(diff(&ConfigDict::new(), d)),
    }
}

fn removed_entry(v: &ConfigValue) -> DiffEntry {
    match v {
        ConfigValue::Scalar(_) => DiffEntry::Removed,
        ConfigValue::Set(s) => DiffEntry::Set {
            added: BTreeSet::new(),
            removed: s.clone(),
        },
        ConfigValue::Dict(d) => DiffEntry::Dict(diff(d, &ConfigDict::new())),
    }
}

/// The diff turning `old` into `new` (empty when equal).
pub fn diff(old: &ConfigDict, new: &ConfigDict) -> Diff {
    let mut out = Diff::new();
    for (k, o) in old {
        match new.get(k) {
            None => {
                out.insert(k.clone(), removed_entry(o));
            }
            Some(n) => {
                let e = match (o, n) {
                    (ConfigValue::Scalar(a), ConfigValue::Scalar(b)) => {
                        (a != b).then_some(DiffEntry::Assigned)
                    }
                    (ConfigValue::Set(a), ConfigValue::Set(b)) => set_diff(a, b),
                    (ConfigValue::Dict(a), ConfigValue::Dict(b)) => {
                        let sub = diff(a, b);
                        (!sub.is_empty()).then_some(DiffEntry::Dict(sub))
                    }
                    // The type changed: written as a new value.
                    _ => Some(added_entry(n)),
                };
                if let Some(e) = e {
                    out.insert(k.clone(), e);
                }
            }
        }
    }
    for (k, n) in new {
        if !old.contains_key(k) {
            out.insert(k.clone(), added_entry(n));
        }
    }
    out
}

/// Applies `diff` to `data`, taking assigned values from `source` (the data of the message that
/// carried the diff). Does not prune; call [`prune`] after all diffs are applied.
pub fn apply_diff(data: &mut ConfigDict, diff: &Diff, source: &ConfigDict) {
    for (k, e) in diff {
        let src = source.get(k);
        let matches = matches!(
            (e, src),
            (
                DiffEntry::Assigned | DiffEntry::Removed,
                Some(ConfigValue::Scalar(_))
            ) | (DiffEntry::Set { .. }, Some(ConfigValue::Set(_)))
                | (DiffEntry::Dict(_), Some(ConfigValue::Dict(_)))
        );
        if !matches {
            // Missing in the source or a type mismatch: a later diff removes or retypes it.
            data.remove(k);
            continue;
        }
        match (e, src) {
            (DiffEntry::Removed, _) => {
                data.remove(k);
            }
            (DiffEntry::Assigned, Some(v)) => {
                data.insert(k.clone(), v.clone());
            }
            (DiffEntry::Dict(sub), Some(ConfigValue::Dict(src_sub))) => {
                let slot = data
                    .entry(k.clone())
                    .or_insert_with(|| ConfigValue::Dict(ConfigDict::new()));
                if !matches!(slot, ConfigValue::Dict(_)) {
                    *slot = ConfigValue::Dict(ConfigDict::new());
                }
                if let ConfigValue::Dict(d) = slot {
                    apply_diff(d, sub, src_sub);
                }
            }
            (DiffEntry::Set { added, removed }, _) => {
                let slot = data
                    .entry(k.clone())
                    .or_insert_with(|| ConfigValue::Set(BTreeSet::new()));
                if !matches!(slot, ConfigValue::Set(_)) {
                    *slot = ConfigValue::Set(BTreeSet::new());
                }
                if let ConfigValue::Set(s) = slot {
                    s.extend(added.iter().cloned());
                    for r in removed {
                        s.remove(r);
                    }
                }
            }
            _ => {}
        }
    }
}

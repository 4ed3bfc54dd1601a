//! The config object: current message, push state and server hashes (CONFIG-GROUPS.md §1.6, 1.9).
//!
//! Confirmed against libsession-util `src/config/base.cpp` (`set_state`, `dirty`, `_merge`,
//! `push`, `confirm_pushed`, `make_dump`, `init_from_dump`):
//! * the first edit of a Clean/Waiting object increments the seqno (later edits before the next
//!   push stay in it); leaving Clean moves the current server hash to the obsolete set;
//! * `push` returns the serialized (signed when we can sign) message and drains the obsolete
//!   hashes (read-only objects return none); Dirty → Waiting;
//! * `confirm_pushed(seqno, hash)` → Clean only if still Waiting at that seqno;
//! * `merge` merges our own serialized message (when seqno ≠ 0 or dirty) with the inputs; every
//!   input except the one kept, unparseable ones and empty hashes becomes obsolete; a merge that
//!   resolved a conflict leaves the object Dirty, adopting a single newer input makes it Clean.
//!
//! Deviation: when a Dirty object adopts a single newer input, libsession keeps an incremented
//! copy while marking it Clean; we keep the input message itself, so a Clean object's `push()`
//! always returns exactly the bytes on the server.
//!
//! The messages here are plaintext bencode: compression, padding, encryption and protobuf
//! wrapping belong to the wire pipeline.

use std::collections::BTreeSet;

use thiserror::Error;

use super::bt::{self, BtValue};
use super::data::{self, ConfigDict};
use super::merge::{merge_messages, Merged};
use super::message::{ConfigMessage, MessageError, MutableConfigMessage, SigKeys, DEFAULT_LAG};

/// Push state (numbering as in the dump's `!` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigState {
    /// Nothing to push.
    Clean = 0,
    /// Local changes not yet pushed.
    Dirty = 1,
    /// Pushed, waiting for `confirm_pushed`.
    Waiting = 2,
}

/// Errors of config objects.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// Edit attempted without the signing key.
    #[error("this config is read-only (we do not hold its signing key); it cannot be changed")]
    ReadOnly,
    /// Dump could not be parsed.
    #[error("the saved config dump is damaged: {0}")]
    BadDump(&'static str),
    /// The message inside a dump could not be parsed.
    #[error("the config message inside the saved dump is invalid: {0}")]
    DumpMessage(#[from] MessageError),
}

#[derive(Debug, Clone)]
enum Current {
    Fixed(ConfigMessage),
    Mutable(MutableConfigMessage),
}

/// What [`ConfigObject::push`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushData {
    /// seqno of `message`; pass it back to [`ConfigObject::confirm_pushed`]
    pub seqno: i64,
    /// the serialized (plaintext) config message
    pub message: Vec<u8>,
    /// server hashes to delete
    pub obsolete_hashes: Vec<String>,
}

/// A config object (libsession `ConfigBase`).
#[derive(Debug, Clone)]
pub struct ConfigObject {
    current: Current,
    state: ConfigState,
    curr_hash: String,
    old_hashes: BTreeSet<String>,
    keys: SigKeys,
    lag: i64,
    extra: BtValue,
}

impl ConfigObject {
    /// A new, empty config (seqno 0, Clean).
    pub fn new(keys: SigKeys) -> Self {
        ConfigObject {
            current: Current::Fixed(ConfigMessage::empty()),
            state: ConfigState::Clean,
            curr_hash: String::new(),
            old_hashes: BTreeSet::new(),
            keys,
            lag: DEFAULT_LAG,
            extra: BtValue::Dict(Default::default()),
        }
    }

    /// Current seqno.
    pub fn seqno(&self) -> i64 {
        match &self.current {
            Current::Fixed(m) => m.seqno,
            Current::Mutable(m) => m.seqno,
        }
    }

    /// Current state.
    pub fn state(&self) -> ConfigState {
        self.state
    }

    /// True unless Clean.
    pub fn needs_push(&self) -> bool {
        self.state != ConfigState::Clean
    }

    /// True if we can verify but not sign.
    pub fn is_readonly(&self) -> bool {
        self.keys.is_readonly()
    }

    /// The signing keys.
    pub fn keys(&self) -> &SigKeys {
        &self.keys
    }

    /// Current data (`&`).
    pub fn data(&self) -> &ConfigDict {
        match &self.current {
            Current::Fixed(m) => &m.data,
            Current::Mutable(m) => &m.data,
        }
    }

    /// Server hash of the current message, if it is stored there.
    pub fn current_hashes(&self) -> Vec<String> {
        if self.curr_hash.is_empty() {
            Vec::new()
        } else {
            vec![self.curr_hash.clone()]
        }
    }

    /// Obsolete server hashes not yet handed out by `push`.
    pub fn obsolete_hashes(&self) -> impl Iterator<Item = &str> {
        self.old_hashes.iter().map(String::as_str)
    }

    fn set_state(&mut self, s: ConfigState) {
        if self.state == ConfigState::Clean && !self.curr_hash.is_empty() {
            self.old_hashes.insert(std::mem::take(&mut self.curr_hash));
        }
        self.state = s;
    }

    /// Replaces the data, turning the object Dirty (first edit since a push: seqno + 1).
    fn set_data(&mut self, new: ConfigDict) {
        let was_dirty = self.state == ConfigState::Dirty;
        if !was_dirty {
            self.set_state(ConfigState::Dirty);
        }
        let signer = self.keys.signer.as_ref();
        let mut next = match &mut self.current {
            Current::Mutable(m) if was_dirty => {
                m.data = new;
                return;
            }
            Current::Mutable(m) => m.increment(signer),
            Current::Fixed(m) => m.increment(self.lag),
        };
        next.data = new;
        self.current = Current::Mutable(next);
    }

    /// Edits the data. The object only becomes Dirty (and bumps its seqno) if the pruned data
    /// actually changed. Fails without calling `f` on read-only objects.
    pub fn edit<R>(&mut self, f: impl FnOnce(&mut ConfigDict) -> R) -> Result<R, ConfigError> {
        if self.is_readonly() {
            return Err(ConfigError::ReadOnly);
        }
        let mut new = self.data().clone();
        let r = f(&mut new);
        data::prune(&mut new);
        if new != *self.data() {
            self.set_data(new);
        }
        Ok(r)
    }

    /// Serializes the current message (signed if we hold the signing key).
    pub fn serialize(&mut self) -> Vec<u8> {
        self.serialize_with(true)
    }

    fn serialize_with(&mut self, sign: bool) -> Vec<u8> {
        let signer = self.keys.signer.as_ref().filter(|_| sign);
        match &mut self.current {
            Current::Fixed(m) => m.bytes.clone(),
            Current::Mutable(m) => m.serialize(signer),
        }
    }

    /// The message to store; Dirty → Waiting; drains the obsolete hashes.
    pub fn push(&mut self) -> PushData {
        let seqno = self.seqno();
        let message = self.serialize();
        if self.state == ConfigState::Dirty {
            self.set_state(ConfigState::Waiting);
        }
        let old = std::mem::take(&mut self.old_hashes);
        let obsolete_hashes = if self.is_readonly() {
            Vec::new()
        } else {
            old.into_iter().collect()
        };
        PushData {
            seqno,
            message,
            obsolete_hashes,
        }
    }

    /// The server stored our push of `seqno` under `hash`.
    pub fn confirm_pushed(&mut self, seqno: i64, hash: &str) {
        if self.state == ConfigState::Waiting && seqno == self.seqno() {
            self.set_state(ConfigState::Clean);
            self.curr_hash = hash.to_owned();
        }
    }

    /// Merges messages fetched from the server (`(server hash, plaintext message)`); returns the
    /// hashes of the inputs that parsed (and verified).
    pub fn merge(&mut self, msgs: &[(String, Vec<u8>)]) -> Vec<String> {
        let old_seqno = self.seqno();
        let dirty = self.state == ConfigState::Dirty;
        let mut hashes: Vec<String> = Vec::with_capacity(msgs.len() + 1);
        let mut confs: Vec<Vec<u8>> = Vec::with_capacity(msgs.len() + 1);
        let has_mine = old_seqno != 0 || dirty;
        if has_mine {
            hashes.push(self.curr_hash.clone());
            confs.push(self.serialize());
        }
        for (h, m) in msgs {
            hashes.push(h.clone());
            confs.push(m.clone());
        }
        let refs: Vec<&[u8]> = confs.iter().map(Vec::as_slice).collect();
        let Ok(outcome) = merge_messages(&refs, &self.keys, self.lag) else {
            return Vec::new();
        };
        let bad: BTreeSet<usize> = outcome.rejected.iter().map(|(i, _)| *i).collect();
        let superconf = outcome.unmerged_index();
        // A copy with the very bytes of the message kept is the server's copy of it (our own
        // push, fetched back before its confirmation named its hash): never obsolete, or the
        // next push would delete the message it stores.
        let kept = superconf.and_then(|k| confs.get(k));
        for (i, h) in hashes.iter().enumerate() {
            let copy_of_kept = kept.is_some_and(|k| confs.get(i) == Some(k));
            if Some(i) != superconf && !copy_of_kept && !bad.contains(&i) && !h.is_empty() {
                self.old_hashes.insert(h.clone());
            }
        }
        let new_seqno = match (&outcome.result, dirty) {
            (Merged::Single { message, .. }, true) => message.seqno.saturating_add(1),
            _ => outcome.seqno(),
        };
        if new_seqno != old_seqno {
            match outcome.result {
                Merged::Merged(m) => {
                    self.current = Current::Mutable(m);
                    self.set_state(ConfigState::Dirty);
                }
                Merged::Single { index: 0, .. } if dirty && has_mine => {}
                Merged::Single { index, message } => {
                    self.current = Current::Fixed(message);
                    self.set_state(ConfigState::Clean);
                    self.curr_hash = hashes.get(index).cloned().unwrap_or_default();
                }
            }
        }
        let skip = usize::from(has_mine);
        hashes
            .into_iter()
            .enumerate()
            .skip(skip)
            .filter(|(i, _)| !bad.contains(i))
            .map(|(_, h)| h)
            .collect()
    }

    /// Extra data stored in the dump's `+` dict (a bt dict).
    pub fn set_dump_extra(&mut self, extra: BtValue) {
        self.extra = extra;
    }

    /// Local dump: `d 1:! i<state>e 1:$ <unsigned message> 1:( <hash> 1:) l<old>e 1:+ d…e e`.
    pub fn dump(&mut self) -> Vec<u8> {
        if self.is_readonly() {
            self.old_hashes.clear();
        }
        let msg = self.serialize_with(false);
        let mut d = std::collections::BTreeMap::new();
        d.insert(b"!".to_vec(), BtValue::Int(self.state as i64));
        d.insert(b"$".to_vec(), BtValue::Bytes(msg));
        d.insert(b"(".to_vec(), BtValue::bytes(&self.curr_hash));
        d.insert(
            b")".to_vec(),
            BtValue::List(self.old_hashes.iter().map(BtValue::bytes).collect()),
        );
        d.insert(b"+".to_vec(), self.extra.clone());
        BtValue::Dict(d).encode()
    }

    /// Restores a [`Self::dump`]. `(` may be a string or (newer libsession) a list of hashes.
    pub fn from_dump(dump: &[u8], keys: SigKeys) -> Result<Self, ConfigError> {
        let v = bt::decode(dump).map_err(|_| ConfigError::BadDump("not bencode"))?;
        let d = v.as_dict().ok_or(ConfigError::BadDump("not a dict"))?;
        let state = match d.get(b"!".as_slice()).and_then(BtValue::as_int) {
            Some(0) => ConfigState::Clean,
            Some(1) => ConfigState::Dirty,
            Some(2) => ConfigState::Waiting,
            _ => return Err(ConfigError::BadDump("missing or invalid state")),
        };
        let msg = d
            .get(b"$".as_slice())
            .and_then(BtValue::as_bytes)
            .ok_or(ConfigError::BadDump("missing message"))?;
        let parsed = ConfigMessage::parse(msg, None, DEFAULT_LAG)?;
        let current = if state == ConfigState::Dirty {
            // A dumped Dirty config reloads with seqno + 1.
            Current::Mutable(parsed.increment(DEFAULT_LAG))
        } else {
            Current::Fixed(parsed)
        };
        let curr_hash = match d.get(b"(".as_slice()) {
            Some(BtValue::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
            Some(BtValue::List(l)) => l
                .first()
                .and_then(BtValue::as_bytes)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let old_hashes = d
            .get(b")".as_slice())
            .and_then(BtValue::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(BtValue::as_bytes)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        Ok(ConfigObject {
            current,
            state,
            curr_hash,
            old_hashes,
            keys,
            lag: DEFAULT_LAG,
            extra: d
                .get(b"+".as_slice())
                .cloned()
                .unwrap_or(BtValue::Dict(Default::default())),
        })
    }
}

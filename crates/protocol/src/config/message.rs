//! One config message: the outer dict, its hash, signature and the seqno increment.
//!
//! Layout (CONFIG-GROUPS.md §1.2, confirmed in libsession-util `src/config.cpp`
//! `ConfigMessage(serialized…)` and `serialize_impl`):
//! `d 1:# i<seqno>e 1:& d<data>e 1:< l[l i<seqno>e 32:<hash> d<diff>e e]…e 1:= d<diff>e
//! [1:~ 64:<sig>] e`, `#` first, unknown top-level keys kept in sorted position, nothing after
//! `~`. `<` and `=` are optional on parse (libsession checks `key() == "<"`) and always written.
//! The signature covers the serialized bytes up to (excluding) `1:~`; the message hash is unkeyed
//! BLAKE2b-256 over the complete bytes. Lag entries with `seqno <= own - lag` are dropped on parse
//! (without further checks, as upstream does) and on serialization; `seqno >= own` is an error.

use std::collections::BTreeMap;

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use thiserror::Error;

use super::bt::{self, BtError, BtValue};
use super::data::{self, ConfigDict, DataError, Diff};

/// BLAKE2b-256 message hash.
pub type Hash = [u8; 32];
/// A (seqno, hash) pair; the order used everywhere (seqno, then hash bytes).
pub type SeqnoHash = (i64, Hash);
/// Lagged diffs keyed by (seqno, hash).
pub type LaggedDiffs = BTreeMap<SeqnoHash, Diff>;
/// Unknown top-level keys, preserved verbatim.
pub type Unknown = BTreeMap<Vec<u8>, BtValue>;

/// `DEFAULT_DIFF_LAGS`: number of lagged diffs carried (including the message's own).
pub const DEFAULT_LAG: i64 = 5;

/// Why a config message was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessageError {
    /// Not valid canonical bencode.
    #[error("config message is not valid bencode: {0}")]
    Bencode(#[from] BtError),
    /// Invalid `&` data or diff contents.
    #[error("config message data is invalid: {0}")]
    Data(#[from] DataError),
    /// Top level is not a dict, or `#` is not its first key / not an integer.
    #[error("config message must be a dict whose first key is \"#\" (integer seqno)")]
    BadSeqno,
    /// No `&` dict.
    #[error("config message has no \"&\" data dict")]
    MissingData,
    /// Malformed `<` list.
    #[error("config message has an invalid lagged diff list: {0}")]
    BadLags(&'static str),
    /// Keys after `~`, or `~` not 64 bytes.
    #[error("config message signature field is malformed (must be 64 bytes and the last key)")]
    BadSignatureField,
    /// A verifier is set and the message has no signature.
    #[error("config message is not signed, but this config requires a signature")]
    MissingSignature,
    /// Signature did not verify.
    #[error("config message signature does not verify with the config's public key")]
    BadSignature,
}

/// Unkeyed BLAKE2b-256 of `bytes`.
pub fn message_hash(bytes: &[u8]) -> Hash {
    let mut h = Blake2b::<U32>::new();
    h.update(bytes);
    h.finalize().into()
}

/// Signing and verification keys of a config (both `None` for user configs).
#[derive(Debug, Clone, Default)]
pub struct SigKeys {
    /// Signs serialized messages (group admins).
    pub signer: Option<SigningKey>,
    /// Verifies incoming messages; when set, unsigned messages are refused.
    pub verifier: Option<VerifyingKey>,
}

impl SigKeys {
    /// Keys for a signed config we can write (verifier derived from the signer).
    pub fn signing(sk: SigningKey) -> Self {
        let vk = sk.verifying_key();
        SigKeys {
            signer: Some(sk),
            verifier: Some(vk),
        }
    }

    /// Keys for a signed config we can only read.
    pub fn verify_only(vk: VerifyingKey) -> Self {
        SigKeys {
            signer: None,
            verifier: Some(vk),
        }
    }

    /// True if we can verify but not sign (read-only group member).
    pub fn is_readonly(&self) -> bool {
        self.verifier.is_some() && self.signer.is_none()
    }
}

/// Serializes the outer dict from its parts; signs when `signer` is given.
pub fn serialize_parts(
    seqno: i64,
    data: &ConfigDict,
    lagged: &LaggedDiffs,
    diff: &Diff,
    unknown: &Unknown,
    lag: i64,
    signer: Option<&SigningKey>,
) -> Vec<u8> {
    let mut top: BTreeMap<Vec<u8>, BtValue> = unknown.clone();
    top.insert(b"#".to_vec(), BtValue::Int(seqno));
    top.insert(b"&".to_vec(), data::data_to_bt(data));
    let lags = lagged
        .iter()
        .filter(|((s, _), _)| *s > seqno.saturating_sub(lag) && *s < seqno)
        .map(|((s, h), d)| {
            BtValue::List(vec![
                BtValue::Int(*s),
                BtValue::Bytes(h.to_vec()),
                data::diff_to_bt(d),
            ])
        })
        .collect();
    top.insert(b"<".to_vec(), BtValue::List(lags));
    top.insert(b"=".to_vec(), data::diff_to_bt(diff));
    let mut out = BtValue::Dict(top).encode();
    if let Some(sk) = signer {
        out.pop(); // the closing 'e'
        let sig = sk.sign(&out);
        out.extend_from_slice(b"1:~64:");
        out.extend_from_slice(&sig.to_bytes());
        out.push(b'e');
    }
    out
}

/// A parsed (immutable) config message; keeps its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMessage {
    /// `#`
    pub seqno: i64,
    /// `&`
    pub data: ConfigDict,
    /// `<` (entries within the lag window)
    pub lagged: LaggedDiffs,
    /// `=`
    pub diff: Diff,
    /// unknown top-level keys
    pub unknown: Unknown,
    /// `~`, if present
    pub signature: Option<[u8; 64]>,
    /// BLAKE2b-256 of [`Self::bytes`]
    pub hash: Hash,
    /// the serialized message as received
    pub bytes: Vec<u8>,
}

impl ConfigMessage {
    /// The seqno-0 empty message every config starts from (`d1:#i0e1:&de1:<le1:=dee`).
    pub fn empty() -> Self {
        let bytes = serialize_parts(
            0,
            &ConfigDict::new(),
            &LaggedDiffs::new(),
            &Diff::new(),
            &Unknown::new(),
            DEFAULT_LAG,
            None,
        );
        ConfigMessage {
            seqno: 0,
            data: ConfigDict::new(),
            lagged: LaggedDiffs::new(),
            diff: Diff::new(),
            unknown: Unknown::new(),
            signature: None,
            hash: message_hash(&bytes),
            bytes,
        }
    }

    /// (seqno, hash)
    pub fn seqno_hash(&self) -> SeqnoHash {
        (self.seqno, self.hash)
    }

    /// Parses and (when `verifier` is set) verifies a serialized message.
    pub fn parse(
        bytes: &[u8],
        verifier: Option<&VerifyingKey>,
        lag: i64,
    ) -> Result<Self, MessageError> {
        let top = bt::decode(bytes)?;
        let BtValue::Dict(top) = top else {
            return Err(MessageError::BadSeqno);
        };
        let mut it = top.into_iter().peekable();
        let seqno = match it.next() {
            Some((k, BtValue::Int(s))) if k == b"#" => s,
            _ => return Err(MessageError::BadSeqno),
        };
        let mut unknown = Unknown::new();
        let mut data = None;
        let mut lagged = LaggedDiffs::new();
        let mut diff = Diff::new();
        let mut signature = None;
        for (k, v) in it {
            match k.as_slice() {
                b"&" => data = Some(data::parse_data(&v)?),
                b"<" => lagged = parse_lags(&v, seqno, lag)?,
                b"=" => diff = data::parse_diff(&v)?,
                b"~" => match v {
                    BtValue::Bytes(b) => {
                        let sig: [u8; 64] =
                            b.try_into().map_err(|_| MessageError::BadSignatureField)?;
                        signature = Some(sig);
                    }
                    _ => return Err(MessageError::BadSignatureField),
                },
                _ if signature.is_some() || k.as_slice() > b"~".as_slice() => {
                    return Err(MessageError::BadSignatureField)
                }
                _ if data.is_none() && k.as_slice() > b"&".as_slice() => {
                    return Err(MessageError::MissingData)
                }
                _ => {
                    unknown.insert(k, v);
                }
            }
        }
        let data = data.ok_or(MessageError::MissingData)?;
        if let Some(vk) = verifier {
            let sig = signature.ok_or(MessageError::MissingSignature)?;
            let signed = signed_part(bytes).ok_or(MessageError::BadSignatureField)?;
            vk.verify_strict(signed, &Signature::from_bytes(&sig))
                .map_err(|_| MessageError::BadSignature)?;
        }
        Ok(ConfigMessage {
            seqno,
            data,
            lagged,
            diff,
            unknown,
            signature,
            hash: message_hash(bytes),
            bytes: bytes.to_vec(),
        })
    }

    /// A mutable copy with seqno + 1 whose `<` gains this message's (seqno, hash, diff).
    pub fn increment(&self, lag: i64) -> MutableConfigMessage {
        MutableConfigMessage::incremented(
            self.seqno,
            self.hash,
            &self.data,
            &self.lagged,
            self.diff.clone(),
            &self.unknown,
            lag,
        )
    }
}

/// The bytes a `~` signature covers: everything before the final `1:~64:<sig>e`.
pub fn signed_part(bytes: &[u8]) -> Option<&[u8]> {
    let n = bytes.len().checked_sub(6 + 64 + 1)?;
    (bytes.get(n..n + 6)? == b"1:~64:").then(|| &bytes[..n])
}

fn parse_lags(v: &BtValue, seqno: i64, lag: i64) -> Result<LaggedDiffs, MessageError> {
    let list = v.as_list().ok_or(MessageError::BadLags("not a list"))?;
    let mut out = LaggedDiffs::new();
    for entry in list {
        let parts = entry
            .as_list()
            .ok_or(MessageError::BadLags("entry is not a list"))?;
        let s = parts
            .first()
            .and_then(BtValue::as_int)
            .ok_or(MessageError::BadLags("entry seqno is not an integer"))?;
        if s >= seqno {
            return Err(MessageError::BadLags(
                "lagged seqno not below the message seqno",
            ));
        }
        if s <= seqno.saturating_sub(lag) {
            continue;
        }
        let [_, BtValue::Bytes(h), d] = parts else {
            return Err(MessageError::BadLags("entry must be [seqno, hash, diff]"));
        };
        let h: Hash = h
            .as_slice()
            .try_into()
            .map_err(|_| MessageError::BadLags("hash must be 32 bytes"))?;
        if out.last_key_value().is_some_and(|(k, _)| *k >= (s, h)) {
            return Err(MessageError::BadLags("entries unsorted or duplicated"));
        }
        out.insert((s, h), data::parse_diff(d)?);
    }
    Ok(out)
}

/// A config message being edited: its diff is computed against the data it started from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutableConfigMessage {
    /// `#`
    pub seqno: i64,
    /// current data (edit freely; pruned at serialization)
    pub data: ConfigDict,
    /// the data the diff is computed against
    pub orig_data: ConfigDict,
    /// lagged diffs (filtered to the lag window at serialization)
    pub lagged: LaggedDiffs,
    /// unknown top-level keys
    pub unknown: Unknown,
    /// number of lags kept
    pub lag: i64,
}

impl MutableConfigMessage {
    /// A fresh message with the given seqno and no data.
    pub fn new(seqno: i64, lag: i64) -> Self {
        MutableConfigMessage {
            seqno,
            data: ConfigDict::new(),
            orig_data: ConfigDict::new(),
            lagged: LaggedDiffs::new(),
            unknown: Unknown::new(),
            lag,
        }
    }

    fn incremented(
        seqno: i64,
        hash: Hash,
        data: &ConfigDict,
        lagged: &LaggedDiffs,
        diff: Diff,
        unknown: &Unknown,
        lag: i64,
    ) -> Self {
        let new_seqno = seqno.saturating_add(1);
        let mut lagged: LaggedDiffs = lagged
            .iter()
            .filter(|((s, _), _)| *s > new_seqno.saturating_sub(lag) && *s < seqno)
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        lagged.insert((seqno, hash), diff);
        MutableConfigMessage {
            seqno: new_seqno,
            data: data.clone(),
            orig_data: data.clone(),
            lagged,
            unknown: unknown.clone(),
            lag,
        }
    }

    /// Prunes the data and returns the diff against the original data.
    pub fn diff(&mut self) -> Diff {
        data::prune(&mut self.data);
        data::diff(&self.orig_data, &self.data)
    }

    /// Serializes (pruning first), signing with `signer` if given.
    pub fn serialize(&mut self, signer: Option<&SigningKey>) -> Vec<u8> {
        let diff = self.diff();
        serialize_parts(
            self.seqno,
            &self.data,
            &self.lagged,
            &diff,
            &self.unknown,
            self.lag,
            signer,
        )
    }

    /// Hash of [`Self::serialize`].
    pub fn hash(&mut self, signer: Option<&SigningKey>) -> Hash {
        message_hash(&self.serialize(signer))
    }

    /// The next message: seqno + 1, this message's diff moved into `<`.
    pub fn increment(&mut self, signer: Option<&SigningKey>) -> MutableConfigMessage {
        let hash = self.hash(signer);
        let diff = self.diff();
        Self::incremented(
            self.seqno,
            hash,
            &self.data,
            &self.lagged,
            diff,
            &self.unknown,
            self.lag,
        )
    }
}

//! Multipart configs (CONFIG-GROUPS.md §1.7 step 6, §1.8; newer libsession `ConfigBase::push`
//! and `_handle_multipart`).
//!
//! A padded config that would encrypt to more than [`MAX_MESSAGE_SIZE`] bytes is split into
//! chunks of at most [`MAX_CHUNK_SIZE`] bytes. Each part (before its own encryption, without
//! padding) is
//!
//! ```text
//! 'm' ‖ l 32:<final_hash> 1:<index byte> 1:<count byte> <len>:<chunk> e
//! ```
//!
//! with `final_hash` = unkeyed BLAKE2b-256 of the whole padded message, `index` 0-based and
//! `count` 2–255. A full part is 76 710 + 50 bytes and encrypts to exactly 76 800.
//!
//! [`MultipartBuffer`] is the receiver's sans-I/O store: it takes decrypted parts in any order,
//! keyed by final hash, validates them, and hands back the concatenated message once the set is
//! complete. Time is a parameter (`now_ms`, Unix milliseconds); nothing here reads a clock.

use std::collections::HashMap;

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

use super::MAX_MESSAGE_SIZE;
use crate::config::bt::{self, BtError};
use crate::config_encrypt::ENCRYPT_OVERHEAD;

/// First byte of a (decrypted) multipart part.
pub const MULTIPART_PREFIX: u8 = b'm';
/// Largest padded config that may be sent as multipart (`MAX_MULTIPART_SIZE`).
pub const MAX_MULTIPART_SIZE: usize = 5_000_000;
/// Most parts one config may have (the count is one byte).
pub const MAX_PARTS: usize = 255;
/// Bytes a part adds around its chunk: `m`, `l…e`, `32:`+hash, `1:x`, `1:y`, a 6-byte length.
pub const PART_ENCODE_OVERHEAD: usize = 1 + 2 + (3 + 32) + (2 + 1) + (2 + 1) + 6;
/// Largest chunk per part, so that a full part encrypts to exactly [`MAX_MESSAGE_SIZE`].
pub const MAX_CHUNK_SIZE: usize = MAX_MESSAGE_SIZE - PART_ENCODE_OVERHEAD - ENCRYPT_OVERHEAD;

/// Why a part could not be built or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// The config is too large even for multipart.
    #[error("config of {size} bytes is too large to send, even split into parts (max {MAX_MULTIPART_SIZE})")]
    TooLarge {
        /// Size of the padded config.
        size: usize,
    },
    /// The config fits in one message and must not be split (a set has 2 to 255 parts).
    #[error("config of {size} bytes fits in one message; it must not be split into parts")]
    TooSmall {
        /// Size of the padded config.
        size: usize,
    },
    /// The message does not start with `'m'`.
    #[error("config message is not a multipart part (no 'm' prefix)")]
    NotAPart,
    /// A decrypted part is larger than a stored message can be.
    #[error("multipart part of {0} bytes exceeds the {MAX_MESSAGE_SIZE}-byte message limit")]
    PartTooLarge(usize),
    /// The part is not the expected bencoded list.
    #[error("multipart part is malformed: {0}")]
    Malformed(&'static str),
    /// Count below 2 or index not below count.
    #[error("multipart part numbering is invalid ({index} of {count})")]
    BadNumbering {
        /// Index of the part.
        index: u8,
        /// Claimed number of parts.
        count: u8,
    },
    /// The part's count differs from earlier parts of the same set.
    #[error("multipart part claims {found} parts but earlier parts of the set claimed {expected}")]
    CountMismatch {
        /// Count from the first part seen.
        expected: u8,
        /// Count in this part.
        found: u8,
    },
    /// The reassembled data does not hash to the final hash.
    #[error("reassembled multipart config does not match its hash; the set was discarded")]
    HashMismatch,
    /// Accepting the part would exceed the buffer's limits.
    #[error("multipart buffer is full ({limit} bytes pending); part refused")]
    BufferFull {
        /// The byte limit of the buffer.
        limit: usize,
    },
}

fn malformed(e: BtError) -> MultipartError {
    MultipartError::Malformed(match e {
        BtError::UnexpectedEnd(_) => "truncated",
        BtError::BadNumber(_) => "bad string length",
        _ => "not a bencoded list",
    })
}

/// Unkeyed BLAKE2b-256, the hash that names a multipart set.
pub fn final_hash(padded: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(padded).into()
}

/// One decoded part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part<'a> {
    /// BLAKE2b-256 of the reassembled (padded) message.
    pub final_hash: [u8; 32],
    /// 0-based position.
    pub index: u8,
    /// Number of parts in the set.
    pub count: u8,
    /// This part's chunk of the message.
    pub chunk: &'a [u8],
}

impl Part<'_> {
    /// Serializes the part (the plaintext that is then encrypted).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.chunk.len() + PART_ENCODE_OVERHEAD);
        out.push(MULTIPART_PREFIX);
        out.push(b'l');
        bt::encode_bytes(&self.final_hash, &mut out);
        bt::encode_bytes(&[self.index], &mut out);
        bt::encode_bytes(&[self.count], &mut out);
        bt::encode_bytes(self.chunk, &mut out);
        out.push(b'e');
        out
    }
}

/// Parses and validates one decrypted part (padding already stripped).
pub fn parse_part(message: &[u8]) -> Result<Part<'_>, MultipartError> {
    if message.len() > MAX_MESSAGE_SIZE {
        return Err(MultipartError::PartTooLarge(message.len()));
    }
    let body = match message.split_first() {
        Some((&MULTIPART_PREFIX, body)) => body,
        _ => return Err(MultipartError::NotAPart),
    };
    let mut reader = bt::Reader::new(body);
    let items = reader.byte_list().map_err(malformed)?;
    if reader.finish().is_err() {
        return Err(MultipartError::Malformed("data after the part list"));
    }
    let [hash, index, count, chunk] = items.as_slice() else {
        return Err(MultipartError::Malformed(
            "part list must have exactly 4 elements",
        ));
    };
    let final_hash: [u8; 32] = (*hash)
        .try_into()
        .map_err(|_| MultipartError::Malformed("final hash is not 32 bytes"))?;
    let (&[index], &[count]) = (*index, *count) else {
        return Err(MultipartError::Malformed(
            "part number is not a single byte",
        ));
    };
    if count <= 1 || index >= count {
        return Err(MultipartError::BadNumbering { index, count });
    }
    if chunk.is_empty() {
        return Err(MultipartError::Malformed("empty data chunk"));
    }
    Ok(Part {
        final_hash,
        index,
        count,
        chunk,
    })
}

/// Splits a padded config into encoded (not yet encrypted) parts. Returns the final hash and
/// the parts in index order. Callers split only what does not fit one message; a message that
/// fits in one chunk is refused (a set has at least two parts).
pub fn split(padded: &[u8]) -> Result<([u8; 32], Vec<Vec<u8>>), MultipartError> {
    if padded.len() > MAX_MULTIPART_SIZE {
        return Err(MultipartError::TooLarge { size: padded.len() });
    }
    let chunks: Vec<&[u8]> = padded.chunks(MAX_CHUNK_SIZE).collect();
    if chunks.len() < 2 {
        return Err(MultipartError::TooSmall { size: padded.len() });
    }
    let count =
        u8::try_from(chunks.len()).map_err(|_| MultipartError::TooLarge { size: padded.len() })?;
    let hash = final_hash(padded);
    let parts = chunks
        .iter()
        .zip(0u8..)
        .map(|(chunk, index)| {
            Part {
                final_hash: hash,
                index,
                count,
                chunk,
            }
            .encode()
        })
        .collect();
    Ok((hash, parts))
}

/// Timing and size limits of a [`MultipartBuffer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultipartLimits {
    /// An incomplete set is dropped this long after its latest part arrived.
    pub max_wait_ms: u64,
    /// A completed set is remembered this long, so re-fetched parts are ignored.
    pub remember_ms: u64,
    /// Most chunk bytes held across all incomplete sets.
    pub max_pending_bytes: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_wait_ms: 15 * 60 * 1000,
            remember_ms: 60 * 60 * 1000,
            max_pending_bytes: 4 * MAX_MULTIPART_SIZE,
        }
    }
}

/// What the buffer did with a part.
#[derive(Clone, PartialEq, Eq)]
pub enum PartOutcome {
    /// Stored; the set is still incomplete.
    Stored {
        /// The set's final hash.
        final_hash: [u8; 32],
        /// Parts held so far.
        have: usize,
        /// Parts in the set.
        count: usize,
    },
    /// Already held, or its set was completed recently: nothing to do.
    Duplicate,
    /// The part completed its set.
    Complete(Reassembled),
}

impl std::fmt::Debug for PartOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartOutcome::Stored { have, count, .. } => write!(f, "Stored({have}/{count})"),
            PartOutcome::Duplicate => f.write_str("Duplicate"),
            PartOutcome::Complete(r) => write!(f, "Complete({} bytes)", r.data.len()),
        }
    }
}

/// A completed set.
#[derive(Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The set's final hash (verified).
    pub final_hash: [u8; 32],
    /// The concatenated chunks: the padded (and possibly `'z'`-compressed) config.
    pub data: Vec<u8>,
    /// Storage message hashes of the parts, in index order (they all become the config's
    /// current hashes).
    pub message_ids: Vec<String>,
}

impl std::fmt::Debug for Reassembled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reassembled")
            .field("final_hash", &hex::encode(self.final_hash))
            .field("data_len", &self.data.len())
            .field("message_ids", &self.message_ids)
            .finish()
    }
}

struct PendingSet {
    count: u8,
    /// (index, message id, chunk), kept sorted by index.
    parts: Vec<(u8, String, Vec<u8>)>,
    done: bool,
    expiry_ms: u64,
}

impl PendingSet {
    fn bytes(&self) -> usize {
        self.parts.iter().map(|(_, _, c)| c.len()).sum()
    }
}

/// Sans-I/O store of incomplete multipart sets, keyed by final hash.
#[derive(Default)]
pub struct MultipartBuffer {
    limits: MultipartLimits,
    sets: HashMap<[u8; 32], PendingSet>,
    pending_bytes: usize,
}

/// Shows sizes only: the chunks are pieces of a decrypted config.
impl std::fmt::Debug for MultipartBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartBuffer")
            .field("limits", &self.limits)
            .field("sets", &self.sets.len())
            .field("pending_bytes", &self.pending_bytes)
            .finish()
    }
}

impl MultipartBuffer {
    /// An empty buffer with the given limits.
    pub fn new(limits: MultipartLimits) -> Self {
        MultipartBuffer {
            limits,
            sets: HashMap::new(),
            pending_bytes: 0,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> MultipartLimits {
        self.limits
    }

    /// Adds a decrypted, padding-stripped part that arrived as storage message `message_id`.
    pub fn add_part(
        &mut self,
        message_id: &str,
        part_message: &[u8],
        now_ms: u64,
    ) -> Result<PartOutcome, MultipartError> {
        let part = parse_part(part_message)?;
        self.expire(now_ms);
        let limits = self.limits;
        let set = self.sets.entry(part.final_hash).or_insert(PendingSet {
            count: part.count,
            parts: Vec::new(),
            done: false,
            expiry_ms: 0,
        });
        if set.done {
            return Ok(PartOutcome::Duplicate);
        }
        if set.count != part.count {
            let expected = set.count;
            self.drop_if_empty(&part.final_hash);
            return Err(MultipartError::CountMismatch {
                expected,
                found: part.count,
            });
        }
        let pos = match set.parts.binary_search_by_key(&part.index, |(i, _, _)| *i) {
            Ok(_) => return Ok(PartOutcome::Duplicate),
            Err(pos) => pos,
        };
        let set_bytes = set.bytes() + part.chunk.len();
        if self.pending_bytes + part.chunk.len() > limits.max_pending_bytes
            || set_bytes > MAX_MULTIPART_SIZE
        {
            self.drop_if_empty(&part.final_hash);
            return Err(MultipartError::BufferFull {
                limit: limits.max_pending_bytes.min(MAX_MULTIPART_SIZE),
            });
        }
        set.parts.insert(
            pos,
            (part.index, message_id.to_owned(), part.chunk.to_vec()),
        );
        self.pending_bytes += part.chunk.len();
        if set.parts.len() < usize::from(set.count) {
            set.expiry_ms = now_ms.saturating_add(limits.max_wait_ms);
            return Ok(PartOutcome::Stored {
                final_hash: part.final_hash,
                have: set.parts.len(),
                count: usize::from(set.count),
            });
        }
        // Complete: concatenate, verify, and keep only a "done" marker.
        let parts = std::mem::take(&mut set.parts);
        let mut data = Vec::with_capacity(set_bytes);
        let mut message_ids = Vec::with_capacity(parts.len());
        for (_, id, chunk) in parts {
            data.extend_from_slice(&chunk);
            message_ids.push(id);
        }
        self.pending_bytes = self.pending_bytes.saturating_sub(data.len());
        if final_hash(&data) != part.final_hash {
            self.sets.remove(&part.final_hash);
            return Err(MultipartError::HashMismatch);
        }
        set.done = true;
        set.expiry_ms = now_ms.saturating_add(limits.remember_ms);
        Ok(PartOutcome::Complete(Reassembled {
            final_hash: part.final_hash,
            data,
            message_ids,
        }))
    }

    fn drop_if_empty(&mut self, hash: &[u8; 32]) {
        if self
            .sets
            .get(hash)
            .is_some_and(|s| !s.done && s.parts.is_empty())
        {
            self.sets.remove(hash);
        }
    }

    /// Forgets incomplete sets whose wait ran out and completed sets past their memory time.
    pub fn expire(&mut self, now_ms: u64) {
        let mut freed = 0;
        self.sets.retain(|_, set| {
            let keep = set.expiry_ms >= now_ms;
            if !keep {
                freed += set.bytes();
            }
            keep
        });
        self.pending_bytes = self.pending_bytes.saturating_sub(freed);
    }

    /// Storage hashes of parts held for incomplete, unexpired sets (they may belong to a newer
    /// config, so their TTL should be extended like the current config's).
    pub fn pending_message_ids(&self, now_ms: u64) -> Vec<String> {
        self.sets
            .values()
            .filter(|s| !s.done && s.expiry_ms >= now_ms)
            .flat_map(|s| s.parts.iter().map(|(_, id, _)| id.clone()))
            .collect()
    }

    /// Number of sets held (incomplete or remembered as done).
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no set is held.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Chunk bytes held for incomplete sets.
    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }
}

//! The full push and receive pipelines as pure functions (CONFIG-GROUPS.md §1.7, §1.8).
//!
//! Push ([`push_config`]): serialized message → `'z'` zstd if shorter → leading-zero padding →
//! either one encrypted message (protobuf-wrapped for user configs unless the wrapping would
//! exceed 76 800 bytes) or, when the padded message plus 40 bytes of encryption overhead exceeds
//! 76 800 bytes, `'m'` parts encrypted one by one and never wrapped.
//!
//! Receive ([`receive_config`]): stored bytes → unwrap (user configs; twice if double-wrapped;
//! raw on failure) → decrypt with each key, newest first → strip leading zeros → `'m'` part into
//! the [`MultipartBuffer`] / `'z'` inflate → must start with `'d'`. No input makes it panic; every
//! failure is a [`ReceiveError`].

use std::borrow::Cow;

use super::compress::{self, CompressError, DEFAULT_MAX_DECOMPRESSED};
use super::multipart::{self, MultipartBuffer, MultipartError, PartOutcome, MULTIPART_PREFIX};
use super::wrap::{self, WrapError, Wrapping};
use super::{ConfigKind, MAX_MESSAGE_SIZE};
use crate::config_encrypt::{self, ConfigEncryptError, ENCRYPT_OVERHEAD};
use crate::identity::Keypair;

/// First byte of a serialized (bencoded dict) config message.
pub const MESSAGE_PREFIX: u8 = b'd';

/// Why a config could not be prepared for storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The input is not a serialized config message.
    #[error("config message to push must be a bencoded dict starting with 'd'")]
    NotAConfigMessage,
    /// Compression failed.
    #[error(transparent)]
    Compress(#[from] CompressError),
    /// The config is too large even for multipart, or could not be split.
    #[error(transparent)]
    Multipart(#[from] MultipartError),
    /// Encryption failed (bad domain or absurd size).
    #[error(transparent)]
    Encrypt(#[from] ConfigEncryptError),
    /// Protobuf wrapping failed.
    #[error(transparent)]
    Wrap(#[from] WrapError),
}

/// How the pushed config is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushForm {
    /// One protobuf-wrapped message (normal for user configs).
    Wrapped,
    /// One raw ciphertext (group configs, or a user config too large to wrap).
    Raw,
    /// Several `'m'` parts, each a raw ciphertext.
    Multipart {
        /// BLAKE2b-256 of the padded message, shared by every part.
        final_hash: [u8; 32],
    },
}

/// The bytes to store, one storage message each, in order.
#[derive(Clone, PartialEq, Eq)]
pub struct Pushed {
    /// Messages to store in the config's namespace (each ≤ 76 800 bytes).
    pub messages: Vec<Vec<u8>>,
    /// Their layout.
    pub form: PushForm,
    /// Whether the `'z'` zstd layer was used.
    pub compressed: bool,
}

impl std::fmt::Debug for Pushed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<usize> = self.messages.iter().map(Vec::len).collect();
        f.debug_struct("Pushed")
            .field("sizes", &sizes)
            .field("form", &self.form)
            .field("compressed", &self.compressed)
            .finish()
    }
}

/// Prepares a serialized config message for storage. `key_base` is the encryption key base:
/// the account's 32-byte Ed25519 seed for user configs (which also wraps them), the current
/// group encryption key for group configs. `seqno` goes into the protobuf wrapping only.
pub fn push_config(
    kind: ConfigKind,
    seqno: i64,
    message: &[u8],
    key_base: &[u8; 32],
) -> Result<Pushed, PushError> {
    if message.first() != Some(&MESSAGE_PREFIX) {
        return Err(PushError::NotAConfigMessage);
    }
    let body = compress::compress(message)?;
    let compressed = matches!(body, Cow::Owned(_));
    let padded = config_encrypt::pad_message(&body);
    drop(body);
    if padded.len() > multipart::MAX_MULTIPART_SIZE {
        return Err(MultipartError::TooLarge { size: padded.len() }.into());
    }
    let domain = kind.domain();

    if padded.len() + ENCRYPT_OVERHEAD > MAX_MESSAGE_SIZE {
        let (final_hash, parts) = multipart::split(&padded)?;
        let messages = parts
            .iter()
            .map(|part| config_encrypt::encrypt(part, key_base, domain))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Pushed {
            messages,
            form: PushForm::Multipart { final_hash },
            compressed,
        });
    }

    let ciphertext = config_encrypt::encrypt(&padded, key_base, domain)?;
    if let Some(shared_kind) = kind.shared_config_kind() {
        let identity = Keypair::from_seed32(key_base);
        let wrapped = wrap::wrap(&identity, shared_kind, seqno, &ciphertext)?;
        // Older clients that need the wrapping cannot read oversized messages anyway.
        if wrapped.len() <= MAX_MESSAGE_SIZE {
            return Ok(Pushed {
                messages: vec![wrapped],
                form: PushForm::Wrapped,
                compressed,
            });
        }
    }
    Ok(Pushed {
        messages: vec![ciphertext],
        form: PushForm::Raw,
        compressed,
    })
}

/// Why stored bytes did not yield a config message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    /// No decryption key was given.
    #[error("no config decryption key is known; cannot read config messages")]
    NoKeys,
    /// None of the keys decrypted the message.
    #[error("config message did not decrypt with any of the {keys_tried} known keys")]
    DecryptFailed {
        /// How many keys were tried.
        keys_tried: usize,
    },
    /// The decrypted message held only padding.
    #[error("config message contains no data")]
    Empty,
    /// A multipart part was invalid, or did not fit the buffer.
    #[error(transparent)]
    Multipart(#[from] MultipartError),
    /// A multipart part arrived at [`receive_single`], which has no buffer.
    #[error("config message is one part of a multipart config; a multipart buffer is needed")]
    NeedsMultipartBuffer,
    /// The zstd layer did not decompress.
    #[error(transparent)]
    Decompress(#[from] CompressError),
    /// After decryption and decompression the data is not a bencoded dict.
    #[error("config message has an unsupported type byte 0x{0:02x} (expected 'd')")]
    UnsupportedType(u8),
}

/// What the receiver needs to know.
#[derive(Clone, Copy, Debug)]
pub struct ReceiveContext<'a> {
    /// Which config the namespace holds (domain, wrapping kind).
    pub kind: ConfigKind,
    /// Key bases to try, newest first. For user configs this is the account's seed, which
    /// also opens the protobuf wrapping.
    pub keys: &'a [[u8; 32]],
    /// Largest decompressed config accepted.
    pub max_decompressed: usize,
}

impl<'a> ReceiveContext<'a> {
    /// A context with the default decompression limit.
    pub fn new(kind: ConfigKind, keys: &'a [[u8; 32]]) -> Self {
        ReceiveContext {
            kind,
            keys,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }
}

/// A config message ready for the merge logic.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceivedConfig {
    /// The serialized config message (starts with `'d'`).
    pub message: Vec<u8>,
    /// Storage hashes the message came from: one, or every part of a multipart set.
    pub message_ids: Vec<String>,
    /// How the stored bytes were wrapped (of the last part for multipart).
    pub wrapping: Wrapping,
    /// Index into [`ReceiveContext::keys`] of the key that decrypted it.
    pub key_index: usize,
}

impl std::fmt::Debug for ReceivedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceivedConfig")
            .field("message_len", &self.message.len())
            .field("message_ids", &self.message_ids)
            .field("wrapping", &self.wrapping)
            .field("key_index", &self.key_index)
            .finish()
    }
}

/// Outcome of [`receive_config`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// A complete config message.
    Config(ReceivedConfig),
    /// A multipart part was stored; the set is not complete yet.
    PartStored {
        /// Parts held so far.
        have: usize,
        /// Parts in the set.
        count: usize,
    },
    /// A part already held, or of a set completed recently: accepted, nothing new.
    DuplicatePart,
}

/// Decrypted, padding-stripped plaintext and what produced it.
struct Opened {
    plain: Vec<u8>,
    wrapping: Wrapping,
    key_index: usize,
}

fn open(ctx: &ReceiveContext<'_>, stored: &[u8]) -> Result<Opened, ReceiveError> {
    if ctx.keys.is_empty() {
        return Err(ReceiveError::NoKeys);
    }
    let (ciphertext, wrapping) = match ctx.kind.shared_config_kind() {
        // libsession opens the wrapping with its first key (user configs have only one); each
        // key is tried here so the order of `keys` does not matter.
        Some(shared_kind) => ctx
            .keys
            .iter()
            .map(|key| wrap::unwrap_lenient(&Keypair::from_seed32(key), stored, shared_kind))
            .find(|(_, wrapping)| *wrapping != Wrapping::Raw)
            .unwrap_or((Cow::Borrowed(stored), Wrapping::Raw)),
        None => (Cow::Borrowed(stored), Wrapping::Raw),
    };
    let domain = ctx.kind.domain();
    let (key_index, mut plain) = ctx
        .keys
        .iter()
        .enumerate()
        .find_map(|(i, key)| {
            config_encrypt::decrypt(&ciphertext, key, domain)
                .ok()
                .map(|p| (i, p))
        })
        .ok_or(ReceiveError::DecryptFailed {
            keys_tried: ctx.keys.len(),
        })?;
    let start = plain.len() - config_encrypt::strip_padding(&plain).len();
    plain.drain(..start);
    if plain.is_empty() {
        return Err(ReceiveError::Empty);
    }
    Ok(Opened {
        plain,
        wrapping,
        key_index,
    })
}

/// Inflates a `'z'` message and checks the result is a bencoded dict.
fn finish(plain: Vec<u8>, max_decompressed: usize) -> Result<Vec<u8>, ReceiveError> {
    let message = match plain.first() {
        Some(&compress::COMPRESSED_PREFIX) => compress::decompress(&plain, max_decompressed)?,
        _ => plain,
    };
    match message.first() {
        Some(&MESSAGE_PREFIX) => Ok(message),
        Some(&other) => Err(ReceiveError::UnsupportedType(other)),
        None => Err(ReceiveError::Empty),
    }
}

/// Turns one stored message (storage hash `message_id`, bytes `stored`) into a config message,
/// feeding multipart parts to `buffer`. `now_ms` (Unix milliseconds) drives the buffer's expiry.
pub fn receive_config(
    ctx: &ReceiveContext<'_>,
    buffer: &mut MultipartBuffer,
    message_id: &str,
    stored: &[u8],
    now_ms: u64,
) -> Result<Received, ReceiveError> {
    let opened = open(ctx, stored)?;
    if opened.plain.first() != Some(&MULTIPART_PREFIX) {
        let message = finish(opened.plain, ctx.max_decompressed)?;
        return Ok(Received::Config(ReceivedConfig {
            message,
            message_ids: vec![message_id.to_owned()],
            wrapping: opened.wrapping,
            key_index: opened.key_index,
        }));
    }
    match buffer.add_part(message_id, &opened.plain, now_ms)? {
        PartOutcome::Stored { have, count, .. } => Ok(Received::PartStored { have, count }),
        PartOutcome::Duplicate => Ok(Received::DuplicatePart),
        PartOutcome::Complete(set) => {
            let mut data = set.data;
            let start = data.len() - config_encrypt::strip_padding(&data).len();
            data.drain(..start);
            let message = finish(data, ctx.max_decompressed)?;
            Ok(Received::Config(ReceivedConfig {
                message,
                message_ids: set.message_ids,
                wrapping: opened.wrapping,
                key_index: opened.key_index,
            }))
        }
    }
}

/// [`receive_config`] for a message known not to be multipart (no buffer needed): a part is
/// refused with [`ReceiveError::NeedsMultipartBuffer`].
pub fn receive_single(ctx: &ReceiveContext<'_>, stored: &[u8]) -> Result<Vec<u8>, ReceiveError> {
    let opened = open(ctx, stored)?;
    if opened.plain.first() == Some(&MULTIPART_PREFIX) {
        return Err(ReceiveError::NeedsMultipartBuffer);
    }
    finish(opened.plain, ctx.max_decompressed)
}

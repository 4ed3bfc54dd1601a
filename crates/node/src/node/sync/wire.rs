//! The catch-up wire format (JSON bodies of `POST /swarm/v1/sync` and
//! `POST /swarm/v1/sync/digest`) and the bucket digest both sides compute.
//!
//! Page request: `{"range": {"start": u64, "end": u64}, "after": {"space": u64, "seq": i64} |
//! null, "limit": n}`; answer: `{"messages": [{"hash", "pubkey" (66 hex), "namespace",
//! "timestamp", "expiry", "data" (base64)}…], "next": cursor | null}` (`null`: range
//! exhausted), and on the first page `"deleted": [{"hash", "space"}…]`, the slice's tombstones
//! (messages deleted there that have not expired). Cursors are the serving node's own (its insertion sequence), so a cursor is only
//! sent back to the node that issued it.
//!
//! Digest request: `{"range": …, "buckets": n}`; answer: `{"buckets": [[count, xor, sum]…]}` —
//! `range` cut into `n` equal slices of swarm space, and for each the number of live messages and
//! the XOR and wrapping sum of a 64-bit FNV-1a of their hashes. Equal digests mean (with
//! overwhelming probability) equal sets of hashes, so a node only pulls the slices that differ.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::store::{AccountKey, NewMessage, SpaceCursor, StoredMessage};
use crate::swarm::{swarm_space, SpaceRange};

/// Most messages in one page.
pub const MAX_PAGE_MESSAGES: usize = 500;
/// A page stops growing once its messages' data passes this many bytes (at least one message is
/// always sent); with Session's 76.8 kB message limit a page stays under ~4.2 MB of JSON.
pub const MAX_PAGE_DATA_BYTES: usize = 3 * 1024 * 1024;
/// Most buckets a digest may be cut into.
pub const MAX_DIGEST_BUCKETS: usize = 4096;

/// Errors in a catch-up body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The JSON does not have the expected shape.
    #[error("malformed catch-up body: {0}")]
    Json(String),
    /// A message's account key is not 33 bytes of hex.
    #[error("catch-up message {hash:?} has an account key that is not 66 hex digits")]
    BadPubkey {
        /// The message hash.
        hash: String,
    },
    /// A message's data is not base64.
    #[error("catch-up message {hash:?} has data that is not base64")]
    BadData {
        /// The message hash.
        hash: String,
    },
    /// The digest has the wrong number of buckets.
    #[error("catch-up digest has {got} buckets, {want} were asked for")]
    BucketCount {
        /// Buckets received.
        got: usize,
        /// Buckets asked for.
        want: usize,
    },
    /// A digest asked for 0 or too many buckets.
    #[error("a catch-up digest is cut into 1 to {MAX_DIGEST_BUCKETS} buckets, not {0}")]
    BadBucketRequest(usize),
}

/// A slice of swarm space on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRange {
    /// First position (inclusive).
    pub start: u64,
    /// Last position (inclusive; below `start` when the slice wraps).
    pub end: u64,
}

impl From<SpaceRange> for WireRange {
    fn from(r: SpaceRange) -> WireRange {
        WireRange {
            start: r.start,
            end: r.end,
        }
    }
}

impl From<WireRange> for SpaceRange {
    fn from(r: WireRange) -> SpaceRange {
        SpaceRange {
            start: r.start,
            end: r.end,
        }
    }
}

/// A page cursor on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCursor {
    /// Swarm-space position of the last message sent.
    pub space: u64,
    /// Its insertion sequence on the serving node.
    pub seq: i64,
}

impl From<SpaceCursor> for WireCursor {
    fn from(c: SpaceCursor) -> WireCursor {
        WireCursor {
            space: c.space,
            seq: c.seq,
        }
    }
}

impl From<WireCursor> for SpaceCursor {
    fn from(c: WireCursor) -> SpaceCursor {
        SpaceCursor {
            space: c.space,
            seq: c.seq,
        }
    }
}

/// Body of a page request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// The slice wanted (within the caller's swarm).
    pub range: WireRange,
    /// Continue after this message (`None`: from the start of the slice).
    #[serde(default)]
    pub after: Option<WireCursor>,
    /// Most messages wanted (capped at [`MAX_PAGE_MESSAGES`]).
    pub limit: usize,
}

/// One message on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMessage {
    /// Message hash.
    pub hash: String,
    /// Account key, 66 hex digits (prefix byte included).
    pub pubkey: String,
    /// Namespace.
    pub namespace: i16,
    /// Sender's timestamp (ms).
    pub timestamp: i64,
    /// Expiry (ms).
    pub expiry: i64,
    /// Message bytes, base64.
    pub data: String,
}

impl WireMessage {
    /// Encodes a stored message.
    pub fn from_stored(m: &StoredMessage) -> WireMessage {
        WireMessage {
            hash: m.hash.clone(),
            pubkey: hex::encode(m.pubkey),
            namespace: m.namespace,
            timestamp: m.timestamp_ms,
            expiry: m.expiry_ms,
            data: STANDARD.encode(&m.data),
        }
    }

    /// Decodes into a message to store (content checks are the caller's).
    pub fn decode(self) -> Result<NewMessage, WireError> {
        let mut pubkey: AccountKey = [0; 33];
        if hex::decode_to_slice(&self.pubkey, &mut pubkey).is_err() {
            return Err(WireError::BadPubkey { hash: self.hash });
        }
        let Ok(data) = STANDARD.decode(&self.data) else {
            return Err(WireError::BadData { hash: self.hash });
        };
        Ok(NewMessage {
            pubkey,
            namespace: self.namespace,
            hash: self.hash,
            timestamp_ms: self.timestamp,
            expiry_ms: self.expiry,
            data,
        })
    }
}

/// Body of a page answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageResponse {
    /// Messages in (swarm-space position, insertion) order.
    pub messages: Vec<WireMessage>,
    /// Where to continue; `None` once the slice is exhausted.
    pub next: Option<WireCursor>,
    /// Messages of the slice that were deleted and have not expired yet (first page only, at
    /// most [`MAX_PAGE_TOMBSTONES`]); absent from older nodes' answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<WireTombstone>,
}

/// Most tombstones in one page answer.
pub const MAX_PAGE_TOMBSTONES: usize = 10_000;

/// A deleted message: its hash and its account's swarm-space position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireTombstone {
    /// Message hash.
    pub hash: String,
    /// The account's swarm-space position.
    pub space: u64,
}

/// Body of a digest request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestRequest {
    /// The slice to digest (within the caller's swarm).
    pub range: WireRange,
    /// Number of equal sub-slices.
    pub buckets: usize,
}

/// Body of a digest answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DigestResponse {
    /// One entry per bucket.
    pub buckets: Vec<BucketDigest>,
}

/// Summary of the message hashes in one bucket: `[count, xor, sum]` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketDigest(pub u64, pub u64, pub u64);

impl BucketDigest {
    /// Number of messages.
    pub fn count(&self) -> u64 {
        self.0
    }

    fn add(&mut self, hash: &str) {
        let h = fnv1a64(hash.as_bytes());
        self.0 += 1;
        self.1 ^= h;
        self.2 = self.2.wrapping_add(h);
    }
}

/// 64-bit FNV-1a: stable across builds and platforms (unlike std's hasher), and enough to tell
/// sets of already-random message hashes apart.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Swarm-space position of a stored account key.
pub fn account_space(pubkey: &AccountKey) -> u64 {
    let mut key = [0u8; 32];
    key.copy_from_slice(&pubkey[1..]);
    swarm_space(&key)
}

/// `range` cut into `n` (≥ 1) equal slices of swarm space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    range: SpaceRange,
    n: usize,
    /// Positions per bucket (the last one may be shorter).
    width: u128,
}

impl Buckets {
    /// Cuts `range` into `n` buckets.
    pub fn new(range: SpaceRange, n: usize) -> Result<Buckets, WireError> {
        if n == 0 || n > MAX_DIGEST_BUCKETS {
            return Err(WireError::BadBucketRequest(n));
        }
        let span = u128::from(range.end.wrapping_sub(range.start)) + 1;
        let width = span.div_ceil(n as u128);
        Ok(Buckets { range, n, width })
    }

    /// The whole range.
    pub fn whole(&self) -> SpaceRange {
        self.range
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (there is at least one bucket).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bucket holding `space`, or `None` if it is outside the range.
    pub fn index_of(&self, space: u64) -> Option<usize> {
        if !self.range.contains(space) {
            return None;
        }
        let offset = u128::from(space.wrapping_sub(self.range.start));
        usize::try_from(offset / self.width).ok()
    }

    /// The slice of swarm space bucket `i` covers (`None` past the end or for empty buckets).
    pub fn range_of(&self, i: usize) -> Option<SpaceRange> {
        let span = u128::from(self.range.end.wrapping_sub(self.range.start)) + 1;
        let lo = (i as u128).checked_mul(self.width)?;
        if i >= self.n || lo >= span {
            return None;
        }
        let hi = (lo + self.width).min(span) - 1;
        // Offsets are below 2^64 here, so the truncations are exact.
        Some(SpaceRange {
            start: self.range.start.wrapping_add(lo as u64),
            end: self.range.start.wrapping_add(hi as u64),
        })
    }
}

/// Accumulates a digest over messages fed in any order.
#[derive(Debug, Clone)]
pub struct DigestBuilder {
    buckets: Buckets,
    digests: Vec<BucketDigest>,
}

impl DigestBuilder {
    /// An empty digest over `buckets`.
    pub fn new(buckets: Buckets) -> DigestBuilder {
        DigestBuilder {
            buckets,
            digests: vec![BucketDigest::default(); buckets.len()],
        }
    }

    /// Adds a message (ignored if its account is outside the range).
    pub fn add(&mut self, pubkey: &AccountKey, hash: &str) {
        if let Some(d) = self
            .buckets
            .index_of(account_space(pubkey))
            .and_then(|i| self.digests.get_mut(i))
        {
            d.add(hash);
        }
    }

    /// The per-bucket digests.
    pub fn finish(self) -> Vec<BucketDigest> {
        self.digests
    }
}

/// Whether every position of `inner` lies in `outer` (either may wrap).
pub fn range_within(inner: SpaceRange, outer: SpaceRange) -> bool {
    let offset = u128::from(inner.start.wrapping_sub(outer.start));
    let inner_span = u128::from(inner.end.wrapping_sub(inner.start));
    let outer_span = u128::from(outer.end.wrapping_sub(outer.start));
    // The whole ring contains everything; any other slice has a gap that an inner slice
    // cannot cross, so offsets from its start decide.
    outer_span == u128::from(u64::MAX) || offset + inner_span <= outer_span
}

/// Parses a JSON body into `T`.
pub fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(body).map_err(|e| WireError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_range_exactly() {
        for range in [
            SpaceRange::FULL,
            SpaceRange { start: 10, end: 20 },
            SpaceRange {
                start: u64::MAX - 5,
                end: 3,
            },
            SpaceRange { start: 7, end: 7 },
        ] {
            for n in [1, 2, 3, 7, 256] {
                let b = Buckets::new(range, n).unwrap();
                let mut next = range.start;
                let mut covered: u128 = 0;
                for i in 0..n {
                    let Some(r) = b.range_of(i) else { continue };
                    assert_eq!(r.start, next, "{range:?} n={n} i={i}");
                    assert_eq!(b.index_of(r.start), Some(i));
                    assert_eq!(b.index_of(r.end), Some(i));
                    covered += u128::from(r.end.wrapping_sub(r.start)) + 1;
                    next = r.end.wrapping_add(1);
                }
                assert_eq!(covered, u128::from(range.end.wrapping_sub(range.start)) + 1);
                assert_eq!(b.range_of(n), None);
            }
        }
        let b = Buckets::new(SpaceRange { start: 10, end: 20 }, 4).unwrap();
        assert_eq!(b.index_of(9), None);
        assert_eq!(b.index_of(21), None);
        assert!(Buckets::new(SpaceRange::FULL, 0).is_err());
        assert!(Buckets::new(SpaceRange::FULL, MAX_DIGEST_BUCKETS + 1).is_err());
    }

    #[test]
    fn range_containment_handles_wrapping() {
        let outer = SpaceRange {
            start: u64::MAX - 10,
            end: 10,
        };
        let r = |start, end| SpaceRange { start, end };
        assert!(range_within(outer, outer));
        assert!(range_within(r(u64::MAX - 10, u64::MAX), outer));
        assert!(range_within(r(u64::MAX, 3), outer));
        assert!(range_within(r(0, 10), outer));
        assert!(!range_within(r(0, 11), outer));
        assert!(!range_within(r(u64::MAX - 11, 0), outer));
        assert!(!range_within(SpaceRange::FULL, outer));
        assert!(range_within(outer, SpaceRange::FULL));
        assert!(range_within(r(5, 5), r(5, 5)));
        assert!(!range_within(r(6, 5), r(5, 6)));
    }

    #[test]
    fn digests_compare_sets_not_order() {
        let b = Buckets::new(SpaceRange::FULL, 16).unwrap();
        let msgs: Vec<([u8; 33], String)> = (0..50u8)
            .map(|i| {
                let mut k = [5u8; 33];
                k[1] = i.wrapping_mul(37);
                k[2] = i;
                (k, format!("hash-{i}"))
            })
            .collect();
        let mut fwd = DigestBuilder::new(b);
        let mut rev = DigestBuilder::new(b);
        for (k, h) in &msgs {
            fwd.add(k, h);
        }
        for (k, h) in msgs.iter().rev() {
            rev.add(k, h);
        }
        let fwd = fwd.finish();
        assert_eq!(fwd, rev.finish());
        assert_eq!(fwd.iter().map(BucketDigest::count).sum::<u64>(), 50);
        let mut fewer = DigestBuilder::new(b);
        for (k, h) in msgs.iter().skip(1) {
            fewer.add(k, h);
        }
        let fewer = fewer.finish();
        let differing = fwd.iter().zip(&fewer).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 1);
    }

    #[test]
    fn messages_round_trip_and_bad_fields_are_named() {
        let stored = StoredMessage {
            seq: 3,
            pubkey: [5; 33],
            namespace: -10,
            hash: "h".into(),
            timestamp_ms: 1,
            expiry_ms: 2,
            data: vec![0, 1, 255],
        };
        let wire = WireMessage::from_stored(&stored);
        let json = serde_json::to_vec(&wire).unwrap();
        let back: WireMessage = parse(&json).unwrap();
        let msg = back.decode().unwrap();
        assert_eq!(
            (msg.pubkey, msg.namespace, msg.data),
            (stored.pubkey, -10, stored.data)
        );
        let bad = WireMessage {
            pubkey: "05".into(),
            ..wire.clone()
        };
        assert!(matches!(bad.decode(), Err(WireError::BadPubkey { .. })));
        let bad = WireMessage {
            data: "!!".into(),
            ..wire
        };
        assert!(matches!(bad.decode(), Err(WireError::BadData { .. })));
        assert!(parse::<PageRequest>(b"{\"range\":1}").is_err());
        assert!(parse::<PageResponse>(b"[]").is_err());
    }

    #[test]
    fn tombstones_are_optional_in_page_answers() {
        // An answer from a node without tombstones, and one with them.
        let old: PageResponse = parse(b"{\"messages\":[],\"next\":null}").unwrap();
        assert!(old.deleted.is_empty());
        let page = PageResponse {
            deleted: vec![WireTombstone {
                hash: "h".into(),
                space: u64::MAX,
            }],
            ..PageResponse::default()
        };
        let json = serde_json::to_vec(&page).unwrap();
        assert_eq!(parse::<PageResponse>(&json).unwrap(), page);
        // None: the field is left out, as older nodes expect.
        let empty = serde_json::to_string(&PageResponse::default()).unwrap();
        assert!(!empty.contains("deleted"), "{empty}");
        let bad = b"{\"messages\":[],\"next\":null,\"deleted\":[{\"hash\":1,\"space\":2}]}";
        assert!(matches!(
            parse::<PageResponse>(bad),
            Err(WireError::Json(_))
        ));
    }
}

//! Swarm maths (PROTOCOL.md §5; session-storage-server `oxenss/snode/swarm.cpp`
//! `pubkey_to_swarm_space`, `get_swarm_by_pk`).
//!
//! Every account maps to a point of the u64 ring: drop the prefix byte, split the 32 key bytes
//! into four big-endian u64 words and XOR them. The account is stored by the swarm whose id is
//! nearest on the ring (ties go to the lower side, wrapping around). Swarm ids are u64;
//! `u64::MAX` means "no swarm".
//!
//! [`assign_swarm`] is our own simple, deterministic placement rule for new service nodes (the
//! real network lets oxend do this with randomness; our service-node daemon's seed uses this).

use crate::rpc::AccountPubkey;

/// Swarm id meaning "not in a swarm".
pub const INVALID_SWARM_ID: u64 = u64::MAX;
/// Smallest healthy swarm (oxen-core; from copies of its config, see PROTOCOL.md §5).
pub const MIN_SWARM_SIZE: usize = 5;
/// Target swarm size.
pub const IDEAL_SWARM_SIZE: usize = 7;
/// Largest swarm before a new one is started.
pub const MAX_SWARM_SIZE: usize = 10;

/// Errors from swarm maths.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwarmError {
    /// The key is not 32 bytes (or 33 with a prefix byte).
    #[error("a swarm position needs a 32-byte key or a 33-byte prefixed key, not {0} bytes")]
    KeyLength(usize),
}

/// Ring position of a 32-byte key (no prefix).
pub fn swarm_space_key(key: &[u8; 32]) -> u64 {
    key.chunks_exact(8).fold(0u64, |acc, chunk| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        acc ^ u64::from_be_bytes(word)
    })
}

/// Ring position of a key given as 33 bytes (prefix dropped) or 32 bytes.
pub fn swarm_space(pubkey: &[u8]) -> Result<u64, SwarmError> {
    let key = match pubkey.len() {
        33 => &pubkey[1..],
        32 => pubkey,
        n => return Err(SwarmError::KeyLength(n)),
    };
    let mut k = [0u8; 32];
    k.copy_from_slice(key);
    Ok(swarm_space_key(&k))
}

/// Ring position of an account.
pub fn swarm_space_for(account: &AccountPubkey) -> u64 {
    swarm_space_key(account.key())
}

/// The swarm id nearest to `value` on the ring. Ids may come in any order; duplicates and
/// [`INVALID_SWARM_ID`] are ignored. `right` is the first id ≥ value (wrapping to the
/// smallest), `left` the id before it (wrapping to the largest); right wins only if strictly
/// closer. `None` when there is no valid id.
pub fn nearest_swarm(swarm_ids: &[u64], value: u64) -> Option<u64> {
    let mut ids: Vec<u64> = swarm_ids
        .iter()
        .copied()
        .filter(|id| *id != INVALID_SWARM_ID)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let first = *ids.first()?;
    let last = *ids.last()?;
    if ids.len() == 1 {
        return Some(first);
    }
    let right_idx = ids.partition_point(|id| *id < value);
    let (right, left) = match right_idx {
        0 => (first, last),
        i if i == ids.len() => (first, last),
        i => (ids[i], ids[i - 1]),
    };
    let dright = right.wrapping_sub(value);
    let dleft = value.wrapping_sub(left);
    Some(if dright < dleft { right } else { left })
}

/// The swarm storing an account.
pub fn swarm_for(swarm_ids: &[u64], account: &AccountPubkey) -> Option<u64> {
    nearest_swarm(swarm_ids, swarm_space_for(account))
}

/// Where a new service node goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwarmChoice {
    /// Join this existing swarm.
    Join(u64),
    /// Start a swarm with this new id.
    New(u64),
}

/// Picks a swarm for a new node, given every existing swarm as `(id, node count)`.
///
/// Rule: join the smallest swarm (lowest id on ties) while it has fewer than
/// [`MAX_SWARM_SIZE`] nodes, so swarms fill evenly to [`IDEAL_SWARM_SIZE`] and then to the
/// maximum; when every swarm is full (or there is none) start a new swarm at
/// [`new_swarm_id`]. A new swarm is below [`MIN_SWARM_SIZE`] until the next nodes fill it
/// (they go to it first, being the smallest).
pub fn assign_swarm(swarms: &[(u64, usize)]) -> SwarmChoice {
    let smallest = swarms
        .iter()
        .filter(|(id, _)| *id != INVALID_SWARM_ID)
        .min_by_key(|(id, size)| (*size, *id));
    match smallest {
        Some((id, size)) if *size < MAX_SWARM_SIZE => SwarmChoice::Join(*id),
        _ => {
            let ids: Vec<u64> = swarms.iter().map(|(id, _)| *id).collect();
            SwarmChoice::New(new_swarm_id(&ids))
        }
    }
}

/// A fresh swarm id: the middle of the widest gap between existing ids on the ring (the
/// first such gap in id order on ties), so accounts spread evenly; 0 when there are none.
/// Never returns [`INVALID_SWARM_ID`] or an existing id.
pub fn new_swarm_id(existing: &[u64]) -> u64 {
    let mut ids: Vec<u64> = existing
        .iter()
        .copied()
        .filter(|id| *id != INVALID_SWARM_ID)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let Some(&first) = ids.first() else {
        return 0;
    };
    if ids.len() == 1 {
        return avoid_invalid(first.wrapping_add(1 << 63));
    }
    let mut best = (0u64, first);
    for (i, &id) in ids.iter().enumerate() {
        let next = ids.get(i + 1).copied().unwrap_or(first);
        let gap = next.wrapping_sub(id);
        if gap > best.0 {
            best = (gap, id);
        }
    }
    // The widest of n gaps is at least 2^64 / n, so the midpoint is strictly inside it and
    // stepping back from u64::MAX cannot land on `start`.
    let (gap, start) = best;
    avoid_invalid(start.wrapping_add(gap / 2))
}

fn avoid_invalid(id: u64) -> u64 {
    if id == INVALID_SWARM_ID {
        id - 1
    } else {
        id
    }
}

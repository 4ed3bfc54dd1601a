//! Swarm maths for the node and the seed, on top of `session_protocol::swarm` (PROTOCOL.md §5).
//!
//! The protocol crate has an account's swarm-space position and the nearest-swarm rule. Added
//! here: the inverse that replication needs (which slice of swarm space a swarm owns) and the
//! seed's placement policy for a devnet, which fills swarms to a chosen size.

pub use session_protocol::swarm::{nearest_swarm, new_swarm_id, INVALID_SWARM_ID};

/// Swarm-space position of an account key (32 bytes, prefix dropped).
pub fn swarm_space(key: &[u8; 32]) -> u64 {
    session_protocol::swarm::swarm_space_key(key)
}

/// An inclusive slice of swarm space that may wrap past `u64::MAX` (when `start > end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceRange {
    /// First position in the slice.
    pub start: u64,
    /// Last position in the slice (inclusive).
    pub end: u64,
}

impl SpaceRange {
    /// The whole of swarm space.
    pub const FULL: SpaceRange = SpaceRange {
        start: 0,
        end: u64::MAX,
    };

    /// Whether `v` lies in this slice.
    pub fn contains(&self, v: u64) -> bool {
        if self.start <= self.end {
            (self.start..=self.end).contains(&v)
        } else {
            v >= self.start || v <= self.end
        }
    }

    /// The slice as one or two non-wrapping inclusive intervals, in ascending order of start
    /// position for a non-wrapping slice, and `[start, MAX]` then `[0, end]` for a wrapping one.
    pub fn intervals(&self) -> Vec<(u64, u64)> {
        if self.start <= self.end {
            vec![(self.start, self.end)]
        } else {
            vec![(self.start, u64::MAX), (0, self.end)]
        }
    }
}

/// The slice of swarm space whose accounts belong to `swarm` under [`nearest_swarm`], or `None`
/// if `swarm` is not one of `swarm_ids`. Replication uses it to ask peers for one swarm's data.
pub fn swarm_space_range(swarm_ids: &[u64], swarm: u64) -> Option<SpaceRange> {
    let mut sorted: Vec<u64> = swarm_ids
        .iter()
        .copied()
        .filter(|&id| id != INVALID_SWARM_ID)
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let idx = sorted.binary_search(&swarm).ok()?;
    if sorted.len() == 1 {
        return Some(SpaceRange::FULL);
    }
    let left = if idx == 0 {
        sorted.last().copied()?
    } else {
        sorted.get(idx - 1).copied()?
    };
    let right = sorted
        .get(idx + 1)
        .copied()
        .unwrap_or(sorted.first().copied()?);
    // Between `left` and us, a position goes to us only when strictly nearer to us (ties go
    // left): offsets above half the gap. Between us and `right`, ties stay with us.
    let gap_left = swarm.wrapping_sub(left);
    let gap_right = right.wrapping_sub(swarm);
    Some(SpaceRange {
        start: left.wrapping_add(gap_left / 2).wrapping_add(1),
        end: swarm.wrapping_add(gap_right / 2),
    })
}

/// Seed policy: the swarm a newly registering node joins.
///
/// `swarms` lists each existing swarm id with its current member count. The node joins the
/// smallest swarm that still has room below `target_size` (lowest id on ties); when every swarm
/// is full it founds a new swarm at [`new_swarm_id`] (the middle of the widest gap between
/// existing ids, which keeps swarm space evenly shared; 0 for the first swarm). Unlike
/// `session_protocol::swarm::assign_swarm`, which fills swarms to the network maximum, this
/// takes the size from the devnet's `--swarm-size`.
pub fn assign_swarm(swarms: &[(u64, usize)], target_size: usize) -> u64 {
    let open = swarms
        .iter()
        .filter(|(id, members)| *id != INVALID_SWARM_ID && *members < target_size.max(1))
        .min_by_key(|(id, members)| (*members, *id));
    if let Some((id, _)) = open {
        return *id;
    }
    new_swarm_id(&swarms.iter().map(|(id, _)| *id).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    const VECTORS: &str = include_str!("../../protocol/tests/vectors/swarm-space.json");

    fn check_ranges_partition(ids: &[u64], rng: &mut impl Rng) {
        let ranges: Vec<(u64, SpaceRange)> = ids
            .iter()
            .map(|&id| (id, swarm_space_range(ids, id).unwrap()))
            .collect();
        let mut probes: Vec<u64> = (0..300).map(|_| rng.gen()).collect();
        for &(_, r) in &ranges {
            for d in [0u64, 1, 2] {
                probes.extend([r.start.wrapping_add(d), r.start.wrapping_sub(d)]);
                probes.extend([r.end.wrapping_add(d), r.end.wrapping_sub(d)]);
            }
        }
        probes.extend([0, 1, u64::MAX, u64::MAX - 1, 1 << 63]);
        for v in probes {
            let owner = nearest_swarm(ids, v).unwrap();
            let containing: Vec<u64> = ranges
                .iter()
                .filter(|(_, r)| r.contains(v))
                .map(|(id, _)| *id)
                .collect();
            assert_eq!(containing, vec![owner], "v={v} ids={ids:?}");
        }
    }

    #[test]
    fn swarm_ranges_partition_space_like_nearest_swarm() {
        let mut rng = rand::thread_rng();
        let v: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        let fixed: Vec<u64> = v["nearest_swarm"]["swarms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        check_ranges_partition(&fixed, &mut rng);
        check_ranges_partition(&[0, u64::MAX - 19, 100], &mut rng);
        check_ranges_partition(&[7, 8], &mut rng);
        check_ranges_partition(&[0, 1 << 63], &mut rng);
        for n in 2..12 {
            let ids: Vec<u64> = (0..n).map(|_| rng.gen()).collect();
            check_ranges_partition(&ids, &mut rng);
        }
        assert_eq!(swarm_space_range(&[42], 42), Some(SpaceRange::FULL));
        assert_eq!(swarm_space_range(&[42], 43), None);
    }

    #[test]
    fn assignment_fills_swarms_then_founds_new_ones() {
        let mut swarms: Vec<(u64, usize)> = Vec::new();
        for _ in 0..15 {
            let id = assign_swarm(&swarms, 5);
            match swarms.iter_mut().find(|(s, _)| *s == id) {
                Some(entry) => entry.1 += 1,
                None => swarms.push((id, 1)),
            }
        }
        assert_eq!(swarms.len(), 3);
        assert!(swarms.iter().all(|(_, n)| *n == 5));
        let ids: Vec<u64> = swarms.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![0, 1 << 63, 1 << 62]);
        assert!(!ids.contains(&INVALID_SWARM_ID));
    }
}

//! The store's SQL, as plain functions over a connection (the writer calls them inside its
//! batch transaction; readers call them directly).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{
    AccountKey, ExpireMode, ExpireOutcome, NamespaceSel, NewMessage, RetrieveQuery, Retrieved,
    SpaceCursor, SpacePage, StoreError, StoreOutcome, StoredMessage,
};
use crate::swarm::{swarm_space, SpaceRange};

/// Flips the top bit so that SQLite's signed ordering of the column is unsigned swarm order.
fn space_key(v: u64) -> i64 {
    (v ^ (1 << 63)) as i64
}

fn space_from_key(k: i64) -> u64 {
    (k as u64) ^ (1 << 63)
}

/// Public-outbox namespaces (−1, −21, −41, …) hold one message per account
/// (session-storage-server `oxenss/common/namespace.h`).
fn is_public_outbox(namespace: i16) -> bool {
    namespace < 0 && (-i32::from(namespace)) % 20 == 1
}

fn account_space(pubkey: &AccountKey) -> u64 {
    let mut key = [0u8; 32];
    key.copy_from_slice(&pubkey[1..]);
    swarm_space(&key)
}

/// The `space` column value of an account: the key of the `messages_space` index, which is also
/// the index of every query by account.
fn account_key(pubkey: &AccountKey) -> i64 {
    space_key(account_space(pubkey))
}

const MESSAGE_COLUMNS: &str = "seq, pubkey, namespace, hash, timestamp, expiry, data";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let pubkey: Vec<u8> = row.get(1)?;
    let pubkey: AccountKey = pubkey.as_slice().try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Blob,
            format!("stored account key has {} bytes, not 33", pubkey.len()).into(),
        )
    })?;
    Ok(StoredMessage {
        seq: row.get(0)?,
        pubkey,
        namespace: row.get(2)?,
        hash: row.get(3)?,
        timestamp_ms: row.get(4)?,
        expiry_ms: row.get(5)?,
        data: row.get(6)?,
    })
}

pub(super) fn store(conn: &Connection, msg: &NewMessage) -> rusqlite::Result<StoreOutcome> {
    if is_public_outbox(msg.namespace) {
        conn.prepare_cached(
            "DELETE FROM messages
             WHERE space = ?4 AND pubkey = ?1 AND namespace = ?2 AND hash != ?3",
        )?
        .execute(params![
            &msg.pubkey[..],
            msg.namespace,
            msg.hash,
            account_key(&msg.pubkey)
        ])?;
    }
    if insert_missing(conn, msg)? {
        // Stored again after a delete: the tombstone must not undo it elsewhere.
        conn.prepare_cached("DELETE FROM tombstones WHERE hash = ?1")?
            .execute(params![msg.hash])?;
        return Ok(StoreOutcome::New);
    }
    let current: i64 = conn
        .prepare_cached("SELECT expiry FROM messages WHERE hash = ?1")?
        .query_row(params![msg.hash], |r| r.get(0))?;
    if current < msg.expiry_ms {
        conn.prepare_cached("UPDATE messages SET expiry = ?1 WHERE hash = ?2")?
            .execute(params![msg.expiry_ms, msg.hash])?;
        Ok(StoreOutcome::Extended {
            expiry_ms: msg.expiry_ms,
        })
    } else {
        Ok(StoreOutcome::Exists { expiry_ms: current })
    }
}

/// Inserts a message only if its hash is not stored yet; an existing message is left exactly as
/// it is. Catch-up uses this: a peer's copy may predate a delete or an expiry shortening that
/// this node applied, and must not undo it.
pub(super) fn insert_missing(conn: &Connection, msg: &NewMessage) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (hash, pubkey, namespace, timestamp, expiry, data, space)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(hash) DO NOTHING",
        )?
        .execute(params![
            msg.hash,
            &msg.pubkey[..],
            msg.namespace,
            msg.timestamp_ms,
            msg.expiry_ms,
            msg.data,
            account_key(&msg.pubkey),
        ])?;
    Ok(inserted == 1)
}

/// Catch-up's insert: like [`insert_missing`], but a message deleted here (a tombstone) is not
/// taken back from a peer that missed the delete.
pub(super) fn insert_caught_up(conn: &Connection, msg: &NewMessage) -> rusqlite::Result<bool> {
    let deleted = conn
        .prepare_cached("SELECT 1 FROM tombstones WHERE hash = ?1")?
        .exists(params![msg.hash])?;
    if deleted {
        return Ok(false);
    }
    insert_missing(conn, msg)
}

/// Tombstones (hash, swarm-space position) of accounts in `range` that have not expired, at
/// most `limit`.
pub(super) fn tombstones_in_space_range(
    conn: &Connection,
    range: SpaceRange,
    limit: usize,
    now_ms: i64,
) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT hash, space FROM tombstones
         WHERE space >= ?1 AND space <= ?2 AND expiry > ?3 ORDER BY space LIMIT ?4",
    )?;
    let mut out = Vec::new();
    for (lo, hi) in range.intervals() {
        let want = limit.saturating_sub(out.len());
        if want == 0 {
            break;
        }
        let rows = stmt.query_map(
            params![
                space_key(lo),
                space_key(hi),
                now_ms,
                i64::try_from(want).unwrap_or(i64::MAX)
            ],
            |r| Ok((r.get::<_, String>(0)?, space_from_key(r.get(1)?))),
        )?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Deletes the messages a peer's tombstones name (hash and swarm-space position must both
/// match); the trigger records tombstones here too. Returns how many were deleted.
pub(super) fn apply_tombstones(
    conn: &Connection,
    tombstones: &[(String, u64)],
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached("DELETE FROM messages WHERE hash = ?1 AND space = ?2")?;
    let mut deleted = 0;
    for (hash, space) in tombstones {
        deleted += stmt.execute(params![hash, space_key(*space)])?;
    }
    Ok(deleted)
}

pub(super) fn retrieve(conn: &Connection, q: &RetrieveQuery) -> Result<Retrieved, StoreError> {
    let after_seq: i64 = match &q.last_hash {
        Some(hash) if !hash.is_empty() => conn
            .prepare_cached(
                "SELECT seq FROM messages WHERE pubkey = ?1 AND namespace = ?2 AND hash = ?3",
            )?
            .query_row(params![&q.pubkey[..], q.namespace, hash], |r| r.get(0))
            .optional()?
            .unwrap_or(0),
        _ => 0,
    };
    let max_count = q.max_count.map(|n| n.max(1));
    // One extra row tells whether there is more.
    let limit: i64 = max_count.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX - 1) + 1);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
         WHERE space = ?6 AND pubkey = ?1 AND namespace = ?2 AND seq > ?3 AND expiry > ?4
         ORDER BY seq LIMIT ?5"
    ))?;
    let mut rows = stmt.query(params![
        &q.pubkey[..],
        q.namespace,
        after_seq,
        q.now_ms,
        limit,
        account_key(&q.pubkey)
    ])?;
    let mut out = Retrieved::default();
    let mut size = 0usize;
    while let Some(row) = rows.next()? {
        if max_count.is_some_and(|n| out.messages.len() >= n) {
            out.more = true;
            break;
        }
        let msg = message_from_row(row)?;
        if let Some(max_size) = q.max_size {
            let data_size = if q.size_as_base64 {
                msg.data.len().div_ceil(3) * 4
            } else {
                msg.data.len()
            };
            size = size
                .saturating_add(q.per_message_overhead)
                .saturating_add(msg.hash.len())
                .saturating_add(data_size);
            if !out.messages.is_empty() && size > max_size {
                out.more = true;
                break;
            }
        }
        out.messages.push(msg);
    }
    Ok(out)
}

pub(super) fn delete_by_hashes(
    conn: &Connection,
    pubkey: &AccountKey,
    hashes: &[String],
) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("DELETE FROM messages WHERE pubkey = ?1 AND hash = ?2 RETURNING hash")?;
    let mut deleted = Vec::new();
    for hash in hashes {
        if let Some(h) = stmt
            .query_row(params![&pubkey[..], hash], |r| r.get::<_, String>(0))
            .optional()?
        {
            deleted.push(h);
        }
    }
    Ok(deleted)
}

fn collect_ns_hash(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<(i16, String)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub(super) fn delete_all(
    conn: &Connection,
    pubkey: &AccountKey,
    ns: NamespaceSel,
) -> rusqlite::Result<Vec<(i16, String)>> {
    match ns {
        NamespaceSel::All => collect_ns_hash(
            conn,
            "DELETE FROM messages WHERE space = ?2 AND pubkey = ?1 RETURNING namespace, hash",
            &[&&pubkey[..], &account_key(pubkey)],
        ),
        NamespaceSel::One(n) => collect_ns_hash(
            conn,
            "DELETE FROM messages WHERE space = ?3 AND pubkey = ?1 AND namespace = ?2
             RETURNING namespace, hash",
            &[&&pubkey[..], &n, &account_key(pubkey)],
        ),
    }
}

pub(super) fn delete_before(
    conn: &Connection,
    pubkey: &AccountKey,
    ns: NamespaceSel,
    before_ms: i64,
) -> rusqlite::Result<Vec<(i16, String)>> {
    match ns {
        NamespaceSel::All => collect_ns_hash(
            conn,
            "DELETE FROM messages WHERE space = ?3 AND pubkey = ?1 AND timestamp <= ?2
             RETURNING namespace, hash",
            &[&&pubkey[..], &before_ms, &account_key(pubkey)],
        ),
        NamespaceSel::One(n) => collect_ns_hash(
            conn,
            "DELETE FROM messages
             WHERE space = ?4 AND pubkey = ?1 AND namespace = ?2 AND timestamp <= ?3
             RETURNING namespace, hash",
            &[&&pubkey[..], &n, &before_ms, &account_key(pubkey)],
        ),
    }
}

pub(super) fn expire(
    conn: &Connection,
    pubkey: &AccountKey,
    items: &[(String, i64)],
    mode: ExpireMode,
) -> rusqlite::Result<ExpireOutcome> {
    let constraint = match mode {
        ExpireMode::Set => "",
        ExpireMode::ShortenOnly => " AND expiry > ?1",
        ExpireMode::ExtendOnly => " AND expiry < ?1",
    };
    let mut update = conn.prepare_cached(&format!(
        "UPDATE messages SET expiry = ?1 WHERE pubkey = ?2 AND hash = ?3{constraint}"
    ))?;
    let mut current =
        conn.prepare_cached("SELECT expiry FROM messages WHERE pubkey = ?1 AND hash = ?2")?;
    let mut out = ExpireOutcome::default();
    for (hash, expiry) in items {
        if update.execute(params![expiry, &pubkey[..], hash])? > 0 {
            out.updated.push((hash.clone(), *expiry));
        } else if mode != ExpireMode::Set {
            if let Some(now) = current
                .query_row(params![&pubkey[..], hash], |r| r.get::<_, i64>(0))
                .optional()?
            {
                out.unchanged.insert(hash.clone(), now);
            }
        }
    }
    Ok(out)
}

pub(super) fn expire_all(
    conn: &Connection,
    pubkey: &AccountKey,
    ns: NamespaceSel,
    expiry_ms: i64,
) -> rusqlite::Result<Vec<(i16, String)>> {
    match ns {
        NamespaceSel::All => collect_ns_hash(
            conn,
            "UPDATE messages SET expiry = ?2 WHERE space = ?3 AND pubkey = ?1 AND expiry > ?2
             RETURNING namespace, hash",
            &[&&pubkey[..], &expiry_ms, &account_key(pubkey)],
        ),
        NamespaceSel::One(n) => collect_ns_hash(
            conn,
            "UPDATE messages SET expiry = ?2
             WHERE space = ?4 AND pubkey = ?1 AND expiry > ?2 AND namespace = ?3
             RETURNING namespace, hash",
            &[&&pubkey[..], &expiry_ms, &n, &account_key(pubkey)],
        ),
    }
}

pub(super) fn get_expiries(
    conn: &Connection,
    pubkey: &AccountKey,
    hashes: &[String],
) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT expiry FROM messages WHERE pubkey = ?1 AND hash = ?2")?;
    let mut out = BTreeMap::new();
    for hash in hashes {
        if let Some(expiry) = stmt
            .query_row(params![&pubkey[..], hash], |r| r.get::<_, i64>(0))
            .optional()?
        {
            out.insert(hash.clone(), expiry);
        }
    }
    Ok(out)
}

pub(super) fn sweep_expired(conn: &Connection, now_ms: i64) -> rusqlite::Result<usize> {
    let swept = conn
        .prepare_cached("DELETE FROM messages WHERE expiry <= ?1")?
        .execute(params![now_ms])?;
    conn.prepare_cached("DELETE FROM tombstones WHERE expiry <= ?1")?
        .execute(params![now_ms])?;
    Ok(swept)
}

pub(super) fn messages_in_space_range(
    conn: &Connection,
    range: SpaceRange,
    after: Option<SpaceCursor>,
    limit: usize,
    now_ms: i64,
) -> Result<SpacePage, StoreError> {
    let limit = limit.max(1);
    let intervals = range.intervals();
    // Which interval the cursor is in; intervals before it are done.
    let start_interval = match after {
        None => 0,
        Some(c) => intervals
            .iter()
            .position(|&(lo, hi)| (lo..=hi).contains(&c.space))
            .unwrap_or(intervals.len()),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS}, space FROM messages
         WHERE (space, seq) > (?1, ?2) AND space <= ?3 AND expiry > ?4
         ORDER BY space, seq LIMIT ?5"
    ))?;
    let mut page = SpacePage::default();
    for (i, &(lo, hi)) in intervals.iter().enumerate().skip(start_interval) {
        let (from_space, from_seq) = match after {
            Some(c) if i == start_interval => (space_key(c.space), c.seq),
            // Strictly after (lo − 1 in key order, any seq) is everything from `lo` on.
            _ => (space_key(lo), i64::MIN),
        };
        let want = limit - page.messages.len();
        let mut rows = stmt.query(params![
            from_space,
            from_seq,
            space_key(hi),
            now_ms,
            i64::try_from(want).unwrap_or(i64::MAX)
        ])?;
        while let Some(row) = rows.next()? {
            let msg = message_from_row(row)?;
            let space = space_from_key(row.get(7)?);
            page.next = Some(SpaceCursor {
                space,
                seq: msg.seq,
            });
            page.messages.push(msg);
        }
        if page.messages.len() >= limit {
            return Ok(page);
        }
    }
    page.next = None;
    Ok(page)
}

pub(super) fn count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM messages")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

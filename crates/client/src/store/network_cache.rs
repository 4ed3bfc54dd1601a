//! Network caches: the service-node pool and the swarm of each account pubkey, so that a
//! restart does not have to ask the seed nodes again. Freshness policy (when to refetch) is the
//! caller's: every cache carries its `fetched_at`.

use std::net::IpAddr;

use rusqlite::{params, Connection, OptionalExtension};
use session_protocol::rpc::AccountPubkey;

use super::{corrupt, get_key, Store, StoreError};

/// A service node: identity keys and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnodeRecord {
    /// Ed25519 key (node identity).
    pub ed25519: [u8; 32],
    /// X25519 key (onion-layer encryption).
    pub x25519: [u8; 32],
    /// Public IP address.
    pub ip: IpAddr,
    /// HTTPS storage port.
    pub port: u16,
    /// The node's swarm, if known.
    pub swarm_id: Option<u64>,
}

/// The cached service-node pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnodePool {
    /// The nodes, by Ed25519 key.
    pub nodes: Vec<SnodeRecord>,
    /// When the pool was fetched (the oldest entry's time).
    pub fetched_at_ms: i64,
}

/// The cached swarm of one account pubkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSwarm {
    /// The account.
    pub pubkey: AccountPubkey,
    /// The swarm id, if the answer carried it.
    pub swarm_id: Option<u64>,
    /// Its nodes, in the order they were saved.
    pub nodes: Vec<SnodeRecord>,
    /// When it was fetched.
    pub fetched_at_ms: i64,
}

/// Swarm ids are u64; SQLite integers are i64. Stored bit for bit.
fn swarm_id_to_sql(id: Option<u64>) -> Option<i64> {
    id.map(|v| i64::from_ne_bytes(v.to_ne_bytes()))
}

fn swarm_id_from_sql(id: Option<i64>) -> Option<u64> {
    id.map(|v| u64::from_ne_bytes(v.to_ne_bytes()))
}

/// Reads ed25519, x25519, ip, port, swarm_id from columns `first..first + 5`.
fn snode_from_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<SnodeRecord> {
    let ip_column = first + 2;
    let ip: String = row.get(ip_column)?;
    let ip = ip
        .parse()
        .map_err(|_| corrupt(ip_column, format!("{ip:?} is not an IP address")))?;
    let port_column = first + 3;
    let port: i64 = row.get(port_column)?;
    let port = u16::try_from(port)
        .map_err(|_| corrupt(port_column, format!("{port} is not a port number")))?;
    Ok(SnodeRecord {
        ed25519: get_key(row, first)?,
        x25519: get_key(row, first + 1)?,
        ip,
        port,
        swarm_id: swarm_id_from_sql(row.get(first + 4)?),
    })
}

fn insert_swarm_node(
    conn: &Connection,
    pubkey: &str,
    node: &SnodeRecord,
    position: usize,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO swarm_nodes (pubkey, ed25519, x25519, ip, port, position) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (pubkey, ed25519) DO NOTHING",
    )?
    .execute(params![
        pubkey,
        hex::encode(node.ed25519),
        hex::encode(node.x25519),
        node.ip.to_string(),
        node.port,
        i64::try_from(position).unwrap_or(i64::MAX)
    ])?;
    Ok(())
}

impl Store {
    /// Replaces the whole service-node pool.
    pub fn replace_snode_pool(
        &mut self,
        nodes: &[SnodeRecord],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM snode_pool", [])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO snode_pool (ed25519, x25519, ip, port, swarm_id, fetched_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (ed25519) DO NOTHING",
            )?;
            for node in nodes {
                insert.execute(params![
                    hex::encode(node.ed25519),
                    hex::encode(node.x25519),
                    node.ip.to_string(),
                    node.port,
                    swarm_id_to_sql(node.swarm_id),
                    now_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached pool; `None` when empty.
    pub fn snode_pool(&self) -> Result<Option<SnodePool>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ed25519, x25519, ip, port, swarm_id, fetched_at FROM snode_pool \
             ORDER BY ed25519",
        )?;
        let mut fetched_at_ms = i64::MAX;
        let mut nodes = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            nodes.push(snode_from_row(row, 0)?);
            fetched_at_ms = fetched_at_ms.min(row.get(5)?);
        }
        if nodes.is_empty() {
            return Ok(None);
        }
        Ok(Some(SnodePool {
            nodes,
            fetched_at_ms,
        }))
    }

    /// Drops a node from the pool (it failed too often). Returns whether it was there.
    pub fn remove_snode(&mut self, ed25519: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("DELETE FROM snode_pool WHERE ed25519 = ?1")?
            .execute([hex::encode(ed25519)])?
            == 1)
    }

    /// Replaces the cached swarm of `pubkey`.
    pub fn save_swarm(
        &mut self,
        pubkey: &AccountPubkey,
        swarm_id: Option<u64>,
        nodes: &[SnodeRecord],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let key = pubkey.to_hex();
        let tx = self.conn.transaction()?;
        // Deleting the parent row cascades to its nodes.
        tx.prepare_cached("DELETE FROM swarms WHERE pubkey = ?1")?
            .execute([&key])?;
        tx.prepare_cached("INSERT INTO swarms (pubkey, swarm_id, fetched_at) VALUES (?1, ?2, ?3)")?
            .execute(params![key, swarm_id_to_sql(swarm_id), now_ms])?;
        for (position, node) in nodes.iter().enumerate() {
            insert_swarm_node(&tx, &key, node, position)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached swarm of `pubkey`, if any.
    pub fn swarm(&self, pubkey: &AccountPubkey) -> Result<Option<CachedSwarm>, StoreError> {
        let key = pubkey.to_hex();
        let header: Option<(Option<i64>, i64)> = self
            .conn
            .prepare_cached("SELECT swarm_id, fetched_at FROM swarms WHERE pubkey = ?1")?
            .query_row([&key], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((swarm_id, fetched_at_ms)) = header else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.ed25519, s.x25519, s.ip, s.port, w.swarm_id FROM swarm_nodes s \
             JOIN swarms w ON w.pubkey = s.pubkey WHERE s.pubkey = ?1 ORDER BY s.position",
        )?;
        let rows = stmt.query_map([&key], |row| snode_from_row(row, 0))?;
        let nodes = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(Some(CachedSwarm {
            pubkey: *pubkey,
            swarm_id: swarm_id_from_sql(swarm_id),
            nodes,
            fetched_at_ms,
        }))
    }

    /// Drops one node from a cached swarm (it failed or answered 421). Returns whether it was
    /// there.
    pub fn remove_swarm_node(
        &mut self,
        pubkey: &AccountPubkey,
        ed25519: &[u8; 32],
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("DELETE FROM swarm_nodes WHERE pubkey = ?1 AND ed25519 = ?2")?
            .execute(params![pubkey.to_hex(), hex::encode(ed25519)])?
            == 1)
    }
}

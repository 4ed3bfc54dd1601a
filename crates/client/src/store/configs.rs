//! Config sync in the database: the config objects' local dumps (one per namespace 2 to 5),
//! and what merged configs say (the display name, contacts), applied together with the dumps
//! and the retrieve cursors in one transaction, so a crash never leaves a merge half applied.

use rusqlite::{params, OptionalExtension};
use session_protocol::identity::SessionId;
use session_protocol::rpc::Namespace;

use super::contacts::{approve, ensure_contact};
use super::conversations::ensure_conversation;
use super::messages::mark_read_up_to;
use super::poll_state::set_last_hash;
use super::{ConversationId, SeenHash, Store, StoreError};

/// A contact as the Contacts config describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedContact {
    /// Their Session ID.
    pub session_id: SessionId,
    /// The name from their profile (kept as it is when the config has none).
    pub name: Option<String>,
    /// Our nickname for them.
    pub nickname: Option<String>,
    /// We accepted them.
    pub approved: bool,
    /// They accepted us.
    pub approved_me: bool,
    /// Blocked.
    pub blocked: bool,
}

/// What merging the account's config messages produced, to store at once.
#[derive(Debug, Default)]
pub struct ConfigApply {
    /// The node the configs came from (Ed25519 key).
    pub node: [u8; 32],
    /// The newest hash per namespace: the next cursors at `node`.
    pub cursors: Vec<(Namespace, SeenHash)>,
    /// The new display name (`Some(None)` clears it), when the profile changed.
    pub display_name: Option<Option<String>>,
    /// Every contact of the Contacts config, when it changed.
    pub contacts: Vec<SyncedContact>,
    /// Per 1:1 conversation, the newest sent time read on some device (ConvoInfoVolatile).
    pub read_states: Vec<(SessionId, i64)>,
    /// Dumps of the config objects that changed.
    pub dumps: Vec<(Namespace, Vec<u8>)>,
}

impl Store {
    /// The saved config dumps by namespace.
    pub fn config_dumps(&self) -> Result<Vec<(Namespace, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT namespace, dump FROM config_dumps ORDER BY namespace")?;
        let rows = stmt.query_map([], |row| {
            Ok((Namespace(row.get::<_, i16>(0)?), row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Saves config dumps (after a local edit or a push).
    pub fn save_config_dumps(
        &mut self,
        dumps: &[(Namespace, Vec<u8>)],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        save_dumps(&tx, dumps, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Applies merged configs: display name, contacts (created when new; an approved one gets
    /// a conversation), dumps and cursors, in one transaction. Returns the conversations whose
    /// list entry may have changed.
    pub fn apply_configs(
        &mut self,
        apply: &ConfigApply,
        now_ms: i64,
    ) -> Result<Vec<ConversationId>, StoreError> {
        let tx = self.conn.transaction()?;
        if let Some(name) = &apply.display_name {
            let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            tx.prepare_cached("UPDATE account SET display_name = ?1 WHERE id = 1")?
                .execute(params![name])?;
        }
        let mut changed = Vec::new();
        for contact in &apply.contacts {
            let hex = contact.session_id.to_hex();
            ensure_contact(&tx, &hex, now_ms)?;
            tx.prepare_cached(
                "UPDATE contacts SET name = coalesce(?2, name), nickname = ?3, \
                 approved_me = max(approved_me, ?4), blocked = ?5 WHERE session_id = ?1",
            )?
            .execute(params![
                hex,
                contact.name.as_deref().filter(|n| !n.is_empty()),
                contact.nickname.as_deref().filter(|n| !n.is_empty()),
                contact.approved_me,
                contact.blocked,
            ])?;
            if contact.approved {
                let (id, _) = ensure_conversation(&tx, &hex, false, now_ms)?;
                approve(&tx, &contact.session_id, now_ms)?;
                changed.push(id);
            } else {
                tx.prepare_cached("UPDATE contacts SET approved = 0 WHERE session_id = ?1")?
                    .execute([&hex])?;
            }
        }
        for (peer, read_up_to) in &apply.read_states {
            let id: Option<ConversationId> = tx
                .prepare_cached(
                    "UPDATE conversations SET read_up_to = max(read_up_to, ?2) WHERE peer = ?1 \
                     RETURNING id",
                )?
                .query_row(params![peer.to_hex(), read_up_to], |row| row.get(0))
                .optional()?;
            if let Some(id) = id {
                if mark_read_up_to(&tx, id)? > 0 {
                    changed.push(id);
                }
            }
        }
        save_dumps(&tx, &apply.dumps, now_ms)?;
        let node = hex::encode(apply.node);
        for (namespace, newest) in &apply.cursors {
            set_last_hash(&tx, &node, *namespace, newest, now_ms)?;
        }
        tx.commit()?;
        Ok(changed)
    }
}

fn save_dumps(
    conn: &rusqlite::Connection,
    dumps: &[(Namespace, Vec<u8>)],
    now_ms: i64,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO config_dumps (namespace, dump, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (namespace) DO UPDATE SET dump = excluded.dump, \
         updated_at = excluded.updated_at",
    )?;
    for (namespace, dump) in dumps {
        stmt.execute(params![namespace.get(), dump, now_ms])?;
    }
    Ok(())
}

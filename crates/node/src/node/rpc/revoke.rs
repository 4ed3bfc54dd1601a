//! Subaccount revocation: `revoke_subaccount` / `unrevoke_subaccount` and the per-account list
//! of revoked tokens that signature checks consult.
//!
//! Upstream (session-storage-server `request_handler.cpp`, `database.cpp`): a request signed
//! through a revoked subaccount token fails with the method's "… signature verification
//! failed" (401), except `retrieve` from an unrevocable namespace (-11, -111, …); the node's
//! result is `{"signature"}` for revoke and `{"count", "signature"}` for unrevoke, the
//! signature covering `PUBKEY_HEX ‖ timestamp ‖ token bytes…`.
//!
//! The list lives in memory for the checks (every subaccount request consults it) and is
//! written through to a small SQLite file so it survives restarts.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::{params, Connection};
use serde_json::Value;
use session_protocol::rpc::request::RevocationParams;
use session_protocol::rpc::response::RevokeNodeResult;
use session_protocol::rpc::{AccountPubkey, SubaccountToken};

use super::node_failure;
use crate::node::NodeContext;
use crate::store::StoreError;

/// File holding the revocation list, in the node's data directory.
pub const REVOCATIONS_FILE: &str = "revoked_subaccounts.sqlite";

type Entry = ([u8; 33], [u8; 36]);

/// Revoked subaccount tokens per account.
#[derive(Debug)]
pub struct Revocations {
    path: PathBuf,
    revoked: RwLock<HashSet<Entry>>,
    conn: Arc<Mutex<Connection>>,
}

fn sql_error(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        source,
    }
}

impl Revocations {
    /// Opens (creating if needed) the list in `data_dir`. Blocking.
    pub fn open(data_dir: &Path) -> Result<Revocations, StoreError> {
        let path = data_dir.join(REVOCATIONS_FILE);
        let conn = Connection::open(&path).map_err(|e| sql_error(&path, e))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS revoked (
                 account BLOB NOT NULL,
                 token BLOB NOT NULL,
                 PRIMARY KEY (account, token)
             ) WITHOUT ROWID;",
        )
        .map_err(|e| sql_error(&path, e))?;
        let mut revoked = HashSet::new();
        {
            let mut stmt = conn
                .prepare("SELECT account, token FROM revoked")
                .map_err(|e| sql_error(&path, e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
                })
                .map_err(|e| sql_error(&path, e))?;
            for row in rows {
                let (account, token) = row.map_err(|e| sql_error(&path, e))?;
                if let (Ok(a), Ok(t)) = (account.try_into(), token.try_into()) {
                    revoked.insert((a, t));
                }
            }
        }
        Ok(Revocations {
            path,
            revoked: RwLock::new(revoked),
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Whether `token` is revoked for `account`.
    pub fn is_revoked(&self, account: &AccountPubkey, token: &SubaccountToken) -> bool {
        self.revoked
            .read()
            .map(|set| set.contains(&(account.to_bytes33(), token.0)))
            .unwrap_or(false)
    }

    /// Revokes tokens (already revoked ones stay revoked).
    pub async fn revoke(
        &self,
        account: &AccountPubkey,
        tokens: &[SubaccountToken],
    ) -> Result<(), StoreError> {
        let entries: Vec<Entry> = tokens.iter().map(|t| (account.to_bytes33(), t.0)).collect();
        self.write(entries.clone(), true).await?;
        if let Ok(mut set) = self.revoked.write() {
            set.extend(entries);
        }
        Ok(())
    }

    /// Lifts revocations; returns how many tokens were revoked before.
    pub async fn unrevoke(
        &self,
        account: &AccountPubkey,
        tokens: &[SubaccountToken],
    ) -> Result<u64, StoreError> {
        let entries: Vec<Entry> = tokens.iter().map(|t| (account.to_bytes33(), t.0)).collect();
        let removed = self.write(entries.clone(), false).await?;
        if let Ok(mut set) = self.revoked.write() {
            for e in &entries {
                set.remove(e);
            }
        }
        Ok(removed)
    }

    async fn write(&self, entries: Vec<Entry>, insert: bool) -> Result<u64, StoreError> {
        let conn = self.conn.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().map_err(|_| {
                StoreError::Interrupted("the revocation list lock is poisoned".into())
            })?;
            let sql = if insert {
                "INSERT OR IGNORE INTO revoked (account, token) VALUES (?1, ?2)"
            } else {
                "DELETE FROM revoked WHERE account = ?1 AND token = ?2"
            };
            let tx = conn
                .unchecked_transaction()
                .map_err(|e| sql_error(&path, e))?;
            let mut changed = 0u64;
            {
                let mut stmt = tx.prepare_cached(sql).map_err(|e| sql_error(&path, e))?;
                for (account, token) in &entries {
                    let n = stmt
                        .execute(params![&account[..], &token[..]])
                        .map_err(|e| sql_error(&path, e))?;
                    changed += u64::try_from(n).unwrap_or(0);
                }
            }
            tx.commit().map_err(|e| sql_error(&path, e))?;
            Ok(changed)
        })
        .await
        .map_err(|e| StoreError::Interrupted(e.to_string()))?
    }
}

/// Runs `revoke_subaccount` (or `unrevoke_subaccount` when `unrevoke`) on this node and signs
/// the result.
pub(super) async fn execute(ctx: &NodeContext, p: &RevocationParams, unrevoke: bool) -> Value {
    let revocations = &ctx.rpc.revocations;
    let count = if unrevoke {
        match revocations.unrevoke(&p.pubkey, &p.tokens).await {
            Ok(n) => Some(n),
            Err(e) => return node_failure(&e),
        }
    } else {
        if let Err(e) = revocations.revoke(&p.pubkey, &p.tokens).await {
            return node_failure(&e);
        }
        None
    };
    let result = RevokeNodeResult::sign(
        ctx.identity.keypair().signing_key(),
        &p.pubkey,
        p.timestamp,
        &p.tokens,
        count,
    );
    serde_json::to_value(result).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn revocations_persist_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let account = AccountPubkey::new(0x03, [1; 32]);
        let other = AccountPubkey::new(0x03, [2; 32]);
        let a = SubaccountToken([7; 36]);
        let b = SubaccountToken([8; 36]);
        {
            let list = Revocations::open(dir.path()).unwrap();
            assert!(!list.is_revoked(&account, &a));
            list.revoke(&account, &[a, b]).await.unwrap();
            list.revoke(&account, &[a]).await.unwrap();
            assert!(list.is_revoked(&account, &a));
            assert!(!list.is_revoked(&other, &a));
            assert_eq!(list.unrevoke(&account, &[b]).await.unwrap(), 1);
            assert_eq!(list.unrevoke(&account, &[b]).await.unwrap(), 0);
        }
        let list = Revocations::open(dir.path()).unwrap();
        assert!(list.is_revoked(&account, &a));
        assert!(!list.is_revoked(&account, &b));
    }
}

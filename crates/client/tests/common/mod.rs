//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use session_client::store::{NewIncoming, Store};
use session_protocol::identity::SessionId;
use tempfile::TempDir;

/// The account every test store belongs to.
pub fn own_id() -> SessionId {
    SessionId::from_x25519([0xAA; 32])
}

/// A distinct peer per number.
pub fn peer(n: u8) -> SessionId {
    SessionId::from_x25519([n; 32])
}

/// A store in a fresh temporary directory, with the account row set up.
pub fn fresh_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("test.sqlite3")).unwrap();
    store.init_account(&own_id(), 1_000).unwrap();
    (dir, store)
}

/// Reopens the store of a test directory.
pub fn reopen(dir: &TempDir) -> Store {
    Store::open(&dir.path().join("test.sqlite3")).unwrap()
}

/// A received message.
pub fn incoming(sender: SessionId, body: &str, sent_at_ms: i64, hash: &str) -> NewIncoming {
    NewIncoming {
        sender,
        body: body.to_owned(),
        sent_at_ms,
        server_hash: hash.to_owned(),
    }
}

//! The Session client core, without a window: accounts, the local database, and (to come) the
//! service-node pool, onion paths, swarm polling and the send queue worker.
//!
//! The desktop app and `session-cli` only send it commands and render what it reports. Wire
//! formats and cryptography come from [`session_protocol`]; this crate adds storage, time and
//! I/O.

pub mod account;
pub mod store;

pub use account::{Account, AccountError, DataDir};
pub use store::{Store, StoreError};

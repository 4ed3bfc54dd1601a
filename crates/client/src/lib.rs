//! The Session client core, without a window: accounts, the local database, and (to come) the
//! service-node pool, onion paths, swarm polling and the send queue worker.
//!
//! The desktop app and `session-cli` only send it commands and render what it reports. Wire
//! formats and cryptography come from [`session_protocol`]; this crate adds storage, time and
//! I/O.

pub mod account;
pub mod client;
pub mod clock;
pub mod net;
pub mod shared_store;
pub mod store;

/// The protocol crate, for callers that need its types (Session IDs, phrase checks).
pub use session_protocol as protocol;

pub use account::{Account, AccountError, DataDir};
pub use client::{Client, ClientConfig, ClientError, Update};
pub use clock::{Clock, SharedClock, SystemClock};
pub use net::{
    ExpireRefresh, NetError, Network, NetworkConfig, NetworkStatus, PathInfo, PathState,
    RetrieveResult, RetrievedMessage, SequenceOutcome, SequenceStore, SnodeInfo, StoreAck,
    StoreRequest,
};
pub use shared_store::SharedStore;
pub use store::{Store, StoreError};

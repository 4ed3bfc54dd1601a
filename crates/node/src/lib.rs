//! session-node: a Session-compatible storage server (service node), the seed registry that
//! nodes join and clients bootstrap from, and a one-command local network (devnet).
//!
//! Layout:
//! * [`identity`], [`tls`]: a node's persisted Ed25519/X25519 keys and self-signed certificate.
//! * [`store`]: the SQLite message store (one batching writer thread, pooled readers).
//! * [`seed`]: the registry (signed registrations, swarm assignment, oxend-style JSON-RPC, ONS).
//! * [`node`]: the daemon (HTTPS listener, storage RPC dispatch, membership, expiry sweeper).
//! * [`devnet`]: a seed and N nodes in one process.
//! * [`swarm`], [`server`], [`shutdown`], [`time`], [`fsutil`]: shared helpers.
//! * [`yardstick`]: a fixed CPU workload that the node and client benches print beside their
//!   figures, so runs on days of different machine speed can be compared.
//!
//! Everything the binary does is reachable from here so tests can start nodes in-process.

pub mod devnet;
pub mod fsutil;
pub mod identity;
pub mod node;
pub mod seed;
pub mod server;
pub mod shutdown;
pub mod store;
pub mod swarm;
pub mod time;
pub mod tls;
pub mod yardstick;

/// Storage-server version session-node reports (`info`, registrations, the seed's listing): the
/// session-storage-server release whose behaviour it follows (PROTOCOL.md's reference commit).
pub const STORAGE_SERVER_VERSION: [u16; 3] = [2, 8, 0];

/// Network hard fork reported to clients (`hf` in node responses, `hardfork` from the seed).
pub const NETWORK_HARDFORK: u16 = 21;

/// Service-node revision within the hard fork.
pub const SNODE_REVISION: u16 = 0;

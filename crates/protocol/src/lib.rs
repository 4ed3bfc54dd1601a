//! Sans-I/O core of the Session protocol.
//!
//! Everything here is pure computation over bytes: keys and the recovery phrase, the Session
//! message encryption, the protobuf wire messages, the storage-server RPC types and their
//! signatures, swarm maths and onion-request layers. No sockets, no async runtime, no database,
//! no clocks: callers pass the current time in, and policy (retries, timeouts, path choice) lives
//! in `session-client` and `session-node`.
//!
//! The wire formats follow `docs/PROTOCOL.md`; every known-answer vector from it is a test under
//! `tests/`.

pub mod agreement;
pub mod config;
pub mod config_encrypt;
pub mod config_wire;
pub mod identity;
pub mod message;
pub mod mnemonic;
pub mod multi_encrypt;
pub mod onion;
pub mod ons;
pub mod padding;
pub mod proto;
pub mod push;
pub mod rpc;
pub mod session_crypto;
pub mod sogs;
pub mod swarm;

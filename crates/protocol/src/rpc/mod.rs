//! Storage-server (service node) client RPC (PROTOCOL.md §4): namespaces, account keys,
//! message hashes, the bytes each request and each node result signs, typed requests with
//! client builders and node-side verification, typed responses, limits and status codes.
//!
//! Both sides use these types: the client builds signed requests ([`build`]) and checks node
//! signatures in answers ([`response`]); the service-node daemon parses requests
//! ([`Request::parse`]), verifies them ([`Request::verify`]) and signs its results
//! ([`response`] `sign` constructors). Everything is checked against session-storage-server
//! commit 861638758ff6 (`oxenss/rpc/client_rpc_endpoints.{h,cpp}`, `request_handler.{h,cpp}`,
//! `oxenss/common/namespace.h`); each module says what it confirmed.
//!
//! Transport (not here): `POST https://<ip>:<port>/storage_rpc/v1` with the JSON body, or
//! the same body as the final hop of an onion request.

pub mod account;
pub mod build;
pub mod encoding;
mod fields;
pub mod hash;
pub mod limits;
pub mod namespace;
mod parse;
pub mod request;
pub mod response;
pub mod signature;
pub mod snode;
pub mod status;
pub mod verify;

pub use account::{AccountPubkey, SignedSubaccount, SubaccountToken};
pub use build::{BuildError, RequestSigner};
pub use hash::{is_valid_message_hash, message_hash, message_hash_for};
pub use namespace::{Namespace, NamespaceSelector};
pub use request::{Request, RequestAuth, RequestError};
pub use response::{NodeResult, ResponseError, SubResult, SwarmResponse};
pub use signature::ExpireMode;
pub use snode::{ServiceNodeState, SwarmNode};
pub use status::StatusCode;
pub use verify::AuthError;

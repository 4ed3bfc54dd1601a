//! Client-side request builders: fill in the parameters and sign them.
//!
//! Signing goes through [`RequestSigner`]: a user's own [`Keypair`] signs for its `05` account
//! (and adds `pubkey_ed25519`), a [`GroupAdminSigner`] signs for a `03` group with the group's
//! Ed25519 key, and a [`SubaccountSigner`] signs with a member's key plus the admin-issued
//! token. Callers pass the current network time in ms (`now_ms`); the node allows ±60 s.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};

use super::account::{AccountPubkey, SignedSubaccount, SubaccountToken, PREFIX_GROUP};
use super::limits::{BATCH_REQUEST_MAX, MAX_MESSAGE_BODY};
use super::namespace::{Namespace, NamespaceSelector};
use super::request::{
    DeleteParams, ExpireParams, GetExpiriesParams, GetSwarmParams, NamespacedTimeParams,
    OxendEndpoint, OxendRequestParams, Request, RequestAuth, RetrieveParams, RevocationParams,
    StoreLifetime, StoreParams,
};
use super::signature::{self as sig, ExpireMode};
use crate::identity::Keypair;

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The message is larger than the node accepts.
    #[error("the message is {len} bytes; a node stores at most {MAX_MESSAGE_BODY} bytes")]
    DataTooLarge {
        /// Size of the message.
        len: usize,
    },
    /// A method that needs message hashes was given none.
    #[error("at least one message hash is needed")]
    NoHashes,
    /// `expire` with several expiries that do not pair up with the hashes.
    #[error(
        "give one expiry, or exactly one per message hash ({hashes} hashes, {expiries} expiries)"
    )]
    ExpiryCount {
        /// Number of hashes.
        hashes: usize,
        /// Number of expiries.
        expiries: usize,
    },
    /// A batch must hold 1 to 20 requests.
    #[error("a batch holds 1 to {BATCH_REQUEST_MAX} requests, not {0}")]
    BatchSize(usize),
    /// Batches cannot contain batches.
    #[error("a batch cannot contain another batch or sequence")]
    NestedBatch,
}

/// Something that signs storage requests for one account.
pub trait RequestSigner {
    /// The account (`pubkey` parameter) the signatures are for.
    fn account(&self) -> AccountPubkey;
    /// Ed25519-signs `msg`.
    fn sign(&self, msg: &[u8]) -> [u8; 64];
    /// The `pubkey_ed25519` parameter (05 accounts only).
    fn pubkey_ed25519(&self) -> Option<[u8; 32]> {
        None
    }
    /// The `subaccount`/`subaccount_sig` parameters, when signing as a subaccount.
    fn subaccount(&self) -> Option<SignedSubaccount> {
        None
    }
}

impl RequestSigner for Keypair {
    fn account(&self) -> AccountPubkey {
        AccountPubkey::from(&self.session_id())
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        Keypair::sign(self, msg)
    }
    fn pubkey_ed25519(&self) -> Option<[u8; 32]> {
        Some(self.ed25519_public())
    }
}

/// Signs for a `03` group with the group's Ed25519 secret key (admins).
pub struct GroupAdminSigner<'a>(pub &'a SigningKey);

impl fmt::Debug for GroupAdminSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupAdminSigner({}, <redacted>)", self.account())
    }
}

impl RequestSigner for GroupAdminSigner<'_> {
    fn account(&self) -> AccountPubkey {
        AccountPubkey::new(PREFIX_GROUP, self.0.verifying_key().to_bytes())
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }
}

/// Signs as a subaccount: the member's own key plus the token the account owner signed.
pub struct SubaccountSigner<'a> {
    /// The account being accessed.
    pub account: AccountPubkey,
    /// Token and owner signature.
    pub subaccount: SignedSubaccount,
    /// The key named in the token.
    pub key: &'a SigningKey,
}

impl fmt::Debug for SubaccountSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubaccountSigner")
            .field("account", &self.account)
            .field("subaccount", &self.subaccount)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl RequestSigner for SubaccountSigner<'_> {
    fn account(&self) -> AccountPubkey {
        self.account
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
    fn subaccount(&self) -> Option<SignedSubaccount> {
        Some(self.subaccount)
    }
}

fn auth(signer: &dyn RequestSigner, msg: &[u8]) -> RequestAuth {
    RequestAuth {
        signature: signer.sign(msg),
        pubkey_ed25519: signer.pubkey_ed25519(),
        subaccount: signer.subaccount(),
    }
}

fn check_data(data: &[u8]) -> Result<(), BuildError> {
    if data.len() > MAX_MESSAGE_BODY {
        return Err(BuildError::DataTooLarge { len: data.len() });
    }
    Ok(())
}

/// Unsigned `store` into someone's public inbox (e.g. a DM into namespace 0).
pub fn store_unsigned(
    recipient: AccountPubkey,
    namespace: Namespace,
    data: Vec<u8>,
    ttl_ms: u64,
    now_ms: u64,
) -> Result<Request, BuildError> {
    check_data(&data)?;
    Ok(Request::Store(StoreParams {
        pubkey: recipient,
        timestamp: now_ms,
        lifetime: StoreLifetime::Ttl(ttl_ms),
        data,
        namespace,
        sig_timestamp: None,
        auth: None,
    }))
}

/// Signed `store` into the signer's account (config namespaces, group messages, …).
pub fn store_signed(
    signer: &dyn RequestSigner,
    namespace: Namespace,
    data: Vec<u8>,
    ttl_ms: u64,
    now_ms: u64,
) -> Result<Request, BuildError> {
    check_data(&data)?;
    Ok(Request::Store(StoreParams {
        pubkey: signer.account(),
        timestamp: now_ms,
        lifetime: StoreLifetime::Ttl(ttl_ms),
        data,
        namespace,
        sig_timestamp: None,
        auth: Some(auth(signer, &sig::store_signed_bytes(namespace, now_ms))),
    }))
}

/// Signed `retrieve` of the signer's messages after `last_hash`.
pub fn retrieve(
    signer: &dyn RequestSigner,
    namespace: Namespace,
    last_hash: Option<String>,
    max_size: Option<i32>,
    now_ms: u64,
) -> Request {
    Request::Retrieve(RetrieveParams {
        pubkey: signer.account(),
        namespace,
        last_hash: last_hash.filter(|h| !h.is_empty()),
        max_count: None,
        max_size,
        timestamp: Some(now_ms),
        auth: Some(auth(signer, &sig::retrieve_signed_bytes(namespace, now_ms))),
    })
}

/// Unsigned `retrieve` (only namespace -10 and public outboxes allow it).
pub fn retrieve_unsigned(
    account: AccountPubkey,
    namespace: Namespace,
    last_hash: Option<String>,
) -> Request {
    Request::Retrieve(RetrieveParams {
        pubkey: account,
        namespace,
        last_hash: last_hash.filter(|h| !h.is_empty()),
        max_count: None,
        max_size: None,
        timestamp: None,
        auth: None,
    })
}

/// `delete` of the given hashes.
pub fn delete(
    signer: &dyn RequestSigner,
    messages: Vec<String>,
    required: bool,
) -> Result<Request, BuildError> {
    if messages.is_empty() {
        return Err(BuildError::NoHashes);
    }
    let auth = auth(signer, &sig::delete_signed_bytes(&messages));
    Ok(Request::Delete(DeleteParams {
        pubkey: signer.account(),
        messages,
        required,
        auth,
    }))
}

/// `delete_all` in one namespace or all.
pub fn delete_all(
    signer: &dyn RequestSigner,
    namespace: NamespaceSelector,
    now_ms: u64,
) -> Request {
    Request::DeleteAll(NamespacedTimeParams {
        pubkey: signer.account(),
        namespace,
        time_ms: now_ms,
        auth: auth(signer, &sig::delete_all_signed_bytes(namespace, now_ms)),
    })
}

/// `delete_before`: deletes messages with timestamps `<= before_ms`.
pub fn delete_before(
    signer: &dyn RequestSigner,
    namespace: NamespaceSelector,
    before_ms: u64,
) -> Request {
    Request::DeleteBefore(NamespacedTimeParams {
        pubkey: signer.account(),
        namespace,
        time_ms: before_ms,
        auth: auth(
            signer,
            &sig::delete_before_signed_bytes(namespace, before_ms),
        ),
    })
}

/// `expire`: one expiry for all hashes, or one per hash.
pub fn expire(
    signer: &dyn RequestSigner,
    messages: Vec<String>,
    expiry_ms: Vec<u64>,
    mode: ExpireMode,
) -> Result<Request, BuildError> {
    if messages.is_empty() {
        return Err(BuildError::NoHashes);
    }
    if expiry_ms.is_empty() || (expiry_ms.len() > 1 && expiry_ms.len() != messages.len()) {
        return Err(BuildError::ExpiryCount {
            hashes: messages.len(),
            expiries: expiry_ms.len(),
        });
    }
    let auth = auth(
        signer,
        &sig::expire_signed_bytes(mode, &expiry_ms, &messages),
    );
    Ok(Request::Expire(ExpireParams {
        pubkey: signer.account(),
        messages,
        expiry: expiry_ms,
        mode,
        auth,
    }))
}

/// `expire_all`: shortens every expiry later than `expiry_ms`.
pub fn expire_all(
    signer: &dyn RequestSigner,
    namespace: NamespaceSelector,
    expiry_ms: u64,
) -> Request {
    Request::ExpireAll(NamespacedTimeParams {
        pubkey: signer.account(),
        namespace,
        time_ms: expiry_ms,
        auth: auth(signer, &sig::expire_all_signed_bytes(namespace, expiry_ms)),
    })
}

/// `get_expiries` of the given hashes.
pub fn get_expiries(
    signer: &dyn RequestSigner,
    messages: Vec<String>,
    now_ms: u64,
) -> Result<Request, BuildError> {
    if messages.is_empty() {
        return Err(BuildError::NoHashes);
    }
    let auth = auth(signer, &sig::get_expiries_signed_bytes(now_ms, &messages));
    Ok(Request::GetExpiries(GetExpiriesParams {
        pubkey: signer.account(),
        messages,
        timestamp: now_ms,
        auth,
    }))
}

/// `revoke_subaccount` (or `unrevoke_subaccount` when `unrevoke`).
pub fn revoke_subaccount(
    signer: &dyn RequestSigner,
    tokens: Vec<SubaccountToken>,
    unrevoke: bool,
    now_ms: u64,
) -> Request {
    let params = RevocationParams {
        pubkey: signer.account(),
        auth: auth(
            signer,
            &sig::revoke_subaccount_signed_bytes(unrevoke, now_ms, &tokens),
        ),
        tokens,
        timestamp: now_ms,
    };
    if unrevoke {
        Request::UnrevokeSubaccount(params)
    } else {
        Request::RevokeSubaccount(params)
    }
}

/// `get_swarm` for an account.
pub fn get_swarm(account: AccountPubkey) -> Request {
    Request::GetSwarm(GetSwarmParams { pubkey: account })
}

/// `info` (node version and clock).
pub fn info() -> Request {
    Request::Info
}

/// `oxend_request` → `get_service_nodes` asking for the fields Session desktop asks for.
pub fn get_service_nodes() -> Request {
    Request::OxendRequest(OxendRequestParams {
        endpoint: OxendEndpoint::GetServiceNodes,
        params: Some(serde_json::json!({
            "active_only": true,
            "fields": {
                "public_ip": true,
                "storage_port": true,
                "pubkey_x25519": true,
                "pubkey_ed25519": true,
            }
        })),
    })
}

/// `oxend_request` → `ons_resolve` (type 0 = Session) for a base64 name hash.
pub fn ons_resolve(name_hash_b64: &str) -> Request {
    Request::OxendRequest(OxendRequestParams {
        endpoint: OxendEndpoint::OnsResolve,
        params: Some(serde_json::json!({ "type": 0, "name_hash": name_hash_b64 })),
    })
}

fn check_batch(requests: &[Request]) -> Result<(), BuildError> {
    if requests.is_empty() || requests.len() > BATCH_REQUEST_MAX {
        return Err(BuildError::BatchSize(requests.len()));
    }
    if requests
        .iter()
        .any(|r| matches!(r, Request::Batch(_) | Request::Sequence(_)))
    {
        return Err(BuildError::NestedBatch);
    }
    Ok(())
}

/// `batch` of 1 to 20 requests.
pub fn batch(requests: Vec<Request>) -> Result<Request, BuildError> {
    check_batch(&requests)?;
    Ok(Request::Batch(requests))
}

/// `sequence` of 1 to 20 requests (stops at the first failure).
pub fn sequence(requests: Vec<Request>) -> Result<Request, BuildError> {
    check_batch(&requests)?;
    Ok(Request::Sequence(requests))
}

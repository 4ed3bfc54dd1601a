//! Node-side checks of a parsed request: signatures, subaccount tokens and time windows.
//!
//! Order, texts and status codes follow session-storage-server `request_handler.cpp`
//! (`process_client_req` overloads, commit 861638758ff6). Not done here because they need
//! node state: the swarm-membership check (421, done first by the node), subaccount
//! revocation lists, and rate limits. Upstream behaviours kept on purpose: `store` into a
//! public-inbox namespace does not check a signature even when one is given; `delete` has no
//! timestamp; `delete_before` and `expire` answer 401 (not 406) for bad times.
//!
//! For `05` accounts the signer is the Ed25519 key in `pubkey_ed25519`, which must convert to
//! the X25519 key in `pubkey`; without it the key bytes of `pubkey` are used as the Ed25519
//! key (right for `03` groups). With a subaccount the owner key must have signed the token,
//! the token must carry the method's permission and prefix, and the token's key signs the
//! request.

use super::account::{access, AccountPubkey, SubaccountToken, PREFIX_SESSION_ID};
use super::limits::{
    DELETE_BEFORE_FUTURE_MS, SIGNATURE_TOLERANCE_FORWARDED_MS, SIGNATURE_TOLERANCE_MS,
    STORE_TOLERANCE_MS, TTL_MIN_MS,
};
use super::request::{
    NamespacedTimeParams, Request, RequestAuth, RetrieveParams, RevocationParams, StoreParams,
};
use super::signature::{self as sig, ExpireMode};
use super::status::StatusCode;
use crate::identity::ed25519_pk_to_x25519;
use ed25519_dalek::VerifyingKey;

/// Why the node refuses a well-formed request. `Display` is the exact body upstream sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// `store` to a namespace that needs a signature, without one (401).
    #[error("store: signature required to store to namespace {0}")]
    StoreSignatureRequired(i16),
    /// `retrieve` without a signature from a namespace that needs one (401).
    #[error("retrieve: request signature required")]
    RetrieveSignatureRequired,
    /// `store` with a lifetime under 10 s or over the namespace maximum (403).
    #[error("Provided expiry/TTL is not valid.")]
    InvalidTtl,
    /// `store` timestamp more than 10 s ahead, or expiry more than 10 s past (406).
    #[error("Timestamp error: check your clock")]
    StoreClock,
    /// A signature timestamp outside the ±60 s window (406). Holds the method wording, e.g.
    /// `"store signature"`, `"retrieve"`, `"delete_all"`.
    #[error("{0} timestamp too far from current time")]
    TimestampOutOfWindow(&'static str),
    /// `delete_before` with `before` more than 60 s in the future (401).
    #[error("delete_before timestamp too far in the future")]
    DeleteBeforeInFuture,
    /// `expire_all` with an expiry more than 60 s in the past (406).
    #[error("expire_all timestamp should be >= current time")]
    ExpireAllInPast,
    /// `expire` with an expiry more than 60 s in the past (401).
    #[error("expire: timestamp should be >= current time")]
    ExpireInPast,
    /// The signature (or subaccount token) does not verify (401). Holds the method wording
    /// (`"store"`, `"delete_msgs"`, `"expire:"`, …).
    #[error("{0} signature verification failed")]
    SignatureFailed(&'static str),
    /// `expire` with `shorten` through a subaccount without delete permission (400).
    #[error("expire: shorten parameter cannot be used with this subaccount token (missing delete access)")]
    SubaccountCannotShorten,
}

impl AuthError {
    /// The HTTP status upstream answers with.
    pub fn http_status(&self) -> u16 {
        self.status_code().0
    }

    /// [`AuthError::http_status`] as a [`StatusCode`].
    pub fn status_code(&self) -> StatusCode {
        match self {
            AuthError::StoreSignatureRequired(_)
            | AuthError::RetrieveSignatureRequired
            | AuthError::DeleteBeforeInFuture
            | AuthError::ExpireInPast
            | AuthError::SignatureFailed(_) => StatusCode::UNAUTHORIZED,
            AuthError::InvalidTtl => StatusCode::FORBIDDEN,
            AuthError::StoreClock
            | AuthError::TimestampOutOfWindow(_)
            | AuthError::ExpireAllInPast => StatusCode::NOT_ACCEPTABLE,
            AuthError::SubaccountCannotShorten => StatusCode::BAD_REQUEST,
        }
    }
}

type Res = Result<(), AuthError>;

fn within(ts: u64, now: u64, tolerance: u64) -> bool {
    ts >= now.saturating_sub(tolerance) && ts <= now.saturating_add(tolerance)
}

/// An Ed25519 key that signs requests, decompressed and checked once: a node can keep these
/// per signer (see [`SignerKeys`]) instead of redoing the point decompression and the
/// Ed25519→X25519 conversion with its subgroup checks on every request.
#[derive(Debug, Clone, Copy)]
pub struct SignerKey {
    key: VerifyingKey,
    /// What the key converts to when it is a valid X25519 identity key
    /// ([`ed25519_pk_to_x25519`]), for matching `05` accounts.
    x25519: Option<[u8; 32]>,
}

impl SignerKey {
    /// Decompresses `ed`; `None` when it is not a curve point or is of small order (nothing
    /// verifies under it).
    pub fn new(ed: &[u8; 32]) -> Option<SignerKey> {
        let key = VerifyingKey::from_bytes(ed).ok()?;
        if key.is_weak() {
            return None;
        }
        Some(SignerKey {
            key,
            x25519: ed25519_pk_to_x25519(ed).ok(),
        })
    }

    /// The X25519 key this key converts to, if it is a valid identity key.
    pub fn x25519(&self) -> Option<&[u8; 32]> {
        self.x25519.as_ref()
    }

    /// Strict Ed25519 verification (as [`crate::identity::verify_ed25519`]).
    pub fn verifies(&self, msg: &[u8], signature: &[u8; 64]) -> bool {
        crate::identity::verify_under_checked_key(&self.key, msg, signature)
    }
}

/// Where verification gets its [`SignerKey`]s. [`NoKeyCache`] builds each afresh; a node can
/// answer from a cache (the result for given key bytes never changes).
pub trait SignerKeys {
    /// The checked key for these 32 bytes ([`SignerKey::new`]).
    fn signer_key(&self, ed: &[u8; 32]) -> Option<SignerKey>;
}

/// [`SignerKeys`] without a cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKeyCache;

impl SignerKeys for NoKeyCache {
    fn signer_key(&self, ed: &[u8; 32]) -> Option<SignerKey> {
        SignerKey::new(ed)
    }
}

/// Checks an account (or subaccount) signature over `msg`. `required` is the subaccount
/// permission the method needs.
pub fn verify_account_signature(
    account: &AccountPubkey,
    auth: &RequestAuth,
    required: u8,
    msg: &[u8],
) -> bool {
    verify_account_signature_with(&NoKeyCache, account, auth, required, msg)
}

/// [`verify_account_signature`] with keys from `keys`.
pub fn verify_account_signature_with(
    keys: &dyn SignerKeys,
    account: &AccountPubkey,
    auth: &RequestAuth,
    required: u8,
    msg: &[u8],
) -> bool {
    let mut key_bytes = *account.key();
    let mut key = None;
    if account.prefix() == PREFIX_SESSION_ID {
        if let Some(ed) = auth.pubkey_ed25519 {
            match keys.signer_key(&ed) {
                Some(k) if k.x25519() == Some(account.key()) => {
                    key_bytes = ed;
                    key = Some(k);
                }
                _ => return false,
            }
        }
    }
    let Some(key) = key.or_else(|| keys.signer_key(&key_bytes)) else {
        return false;
    };
    let signer = match &auth.subaccount {
        None => key,
        Some(sub) => {
            if !sub.token.prefix_allowed(account.prefix())
                || !sub.token.has(required)
                || !key.verifies(&sub.token.0, &sub.signature)
            {
                return false;
            }
            match keys.signer_key(&sub.token.pubkey()) {
                Some(k) => k,
                None => return false,
            }
        }
    };
    signer.verifies(msg, &auth.signature)
}

fn check_sig(
    keys: &dyn SignerKeys,
    account: &AccountPubkey,
    auth: &RequestAuth,
    required: u8,
    msg: &[u8],
    wording: &'static str,
) -> Res {
    if verify_account_signature_with(keys, account, auth, required, msg) {
        Ok(())
    } else {
        Err(AuthError::SignatureFailed(wording))
    }
}

impl Request {
    /// Checks a request that arrived from a client (±60 s windows).
    pub fn verify(&self, now_ms: u64) -> Res {
        self.verify_at(now_ms, false)
    }

    /// Checks a request; `forwarded` is true for copies relayed by another swarm member (some
    /// windows widen to 70 s). `batch`/`sequence` always pass: the node checks each
    /// sub-request when it runs it and reports per-sub-request codes.
    pub fn verify_at(&self, now_ms: u64, forwarded: bool) -> Res {
        self.verify_with(now_ms, forwarded, &NoKeyCache)
    }

    /// [`Request::verify_at`] with signer keys from `keys` (a node's cache of checked keys).
    pub fn verify_with(&self, now_ms: u64, forwarded: bool, keys: &dyn SignerKeys) -> Res {
        let tolerance = if forwarded {
            SIGNATURE_TOLERANCE_FORWARDED_MS
        } else {
            SIGNATURE_TOLERANCE_MS
        };
        match self {
            Request::Store(p) => verify_store(keys, p, now_ms),
            Request::Retrieve(p) => verify_retrieve(keys, p, now_ms),
            Request::Delete(p) => check_sig(
                keys,
                &p.pubkey,
                &p.auth,
                access::DELETE,
                &sig::delete_signed_bytes(&p.messages),
                "delete_msgs",
            ),
            Request::DeleteAll(p) => {
                if !within(p.time_ms, now_ms, tolerance) {
                    return Err(AuthError::TimestampOutOfWindow("delete_all"));
                }
                let msg = sig::delete_all_signed_bytes(p.namespace, p.time_ms);
                check_namespaced(keys, p, &msg, "delete_all")
            }
            Request::DeleteBefore(p) => {
                if p.time_ms > now_ms.saturating_add(DELETE_BEFORE_FUTURE_MS) {
                    return Err(AuthError::DeleteBeforeInFuture);
                }
                let msg = sig::delete_before_signed_bytes(p.namespace, p.time_ms);
                check_namespaced(keys, p, &msg, "delete_before")
            }
            Request::ExpireAll(p) => {
                if p.time_ms < now_ms.saturating_sub(tolerance) {
                    return Err(AuthError::ExpireAllInPast);
                }
                let msg = sig::expire_all_signed_bytes(p.namespace, p.time_ms);
                check_namespaced(keys, p, &msg, "expire_all")
            }
            Request::Expire(p) => {
                let floor = now_ms.saturating_sub(DELETE_BEFORE_FUTURE_MS);
                if p.expiry.iter().any(|e| *e < floor) {
                    return Err(AuthError::ExpireInPast);
                }
                let msg = sig::expire_signed_bytes(p.mode, &p.expiry, &p.messages);
                check_sig(keys, &p.pubkey, &p.auth, access::WRITE, &msg, "expire:")?;
                let weak = p
                    .auth
                    .subaccount
                    .is_some_and(|s| !s.token.has(access::DELETE));
                if weak && p.mode == ExpireMode::Shorten {
                    return Err(AuthError::SubaccountCannotShorten);
                }
                Ok(())
            }
            Request::GetExpiries(p) => {
                if !within(p.timestamp, now_ms, SIGNATURE_TOLERANCE_MS) {
                    return Err(AuthError::TimestampOutOfWindow("get_expiries"));
                }
                let msg = sig::get_expiries_signed_bytes(p.timestamp, &p.messages);
                check_sig(keys, &p.pubkey, &p.auth, access::READ, &msg, "get_expiries")
            }
            Request::RevokeSubaccount(p) => verify_revocation(keys, p, false, now_ms),
            Request::UnrevokeSubaccount(p) => verify_revocation(keys, p, true, now_ms),
            Request::GetSwarm(_)
            | Request::OxendRequest(_)
            | Request::Info
            | Request::Batch(_)
            | Request::Sequence(_) => Ok(()),
        }
    }
}

impl Request {
    /// The subaccount token whose revocation the node must check in its database before
    /// accepting (upstream does this inside signature verification). `None` when no token is
    /// used, when the signature is not checked at all (store to a public inbox), or for a
    /// `retrieve` from an unrevocable namespace (-11, -111, …).
    pub fn subaccount_to_check(&self) -> Option<&SubaccountToken> {
        let auth = match self {
            Request::Store(p) if p.namespace.is_public_inbox() => None,
            Request::Store(p) => p.auth.as_ref(),
            Request::Retrieve(p) if p.namespace.is_unrevocable() => None,
            Request::Retrieve(p) => p.auth.as_ref(),
            Request::Delete(p) => Some(&p.auth),
            Request::DeleteAll(p) | Request::DeleteBefore(p) | Request::ExpireAll(p) => {
                Some(&p.auth)
            }
            Request::Expire(p) => Some(&p.auth),
            Request::GetExpiries(p) => Some(&p.auth),
            _ => None,
        };
        auth.and_then(|a| a.subaccount.as_ref()).map(|s| &s.token)
    }
}

fn check_namespaced(
    keys: &dyn SignerKeys,
    p: &NamespacedTimeParams,
    msg: &[u8],
    wording: &'static str,
) -> Res {
    check_sig(keys, &p.pubkey, &p.auth, access::DELETE, msg, wording)
}

fn verify_store(keys: &dyn SignerKeys, p: &StoreParams, now_ms: u64) -> Res {
    let expiry = p.expiry_ms();
    let ttl = i128::from(expiry) - i128::from(p.timestamp);
    if ttl < i128::from(TTL_MIN_MS) || ttl > i128::from(p.namespace.max_ttl_ms()) {
        return Err(AuthError::InvalidTtl);
    }
    if p.timestamp > now_ms.saturating_add(STORE_TOLERANCE_MS)
        || expiry < now_ms.saturating_sub(STORE_TOLERANCE_MS)
    {
        return Err(AuthError::StoreClock);
    }
    if p.namespace.is_public_inbox() {
        return Ok(());
    }
    let Some(auth) = &p.auth else {
        return Err(AuthError::StoreSignatureRequired(p.namespace.get()));
    };
    let sig_ts = p.effective_sig_timestamp();
    if !within(sig_ts, now_ms, SIGNATURE_TOLERANCE_MS) {
        return Err(AuthError::TimestampOutOfWindow("store signature"));
    }
    // Storing to a public outbox replaces its message, so a subaccount also needs delete.
    let required = if p.namespace.is_public_outbox() {
        access::WRITE | access::DELETE
    } else {
        access::WRITE
    };
    let msg = sig::store_signed_bytes(p.namespace, sig_ts);
    check_sig(keys, &p.pubkey, auth, required, &msg, "store")
}

fn verify_retrieve(keys: &dyn SignerKeys, p: &RetrieveParams, now_ms: u64) -> Res {
    let (auth, timestamp) = match (&p.auth, p.timestamp) {
        (Some(a), Some(t)) => (a, t),
        _ if p.namespace.is_noauth_retrieve() => return Ok(()),
        _ => return Err(AuthError::RetrieveSignatureRequired),
    };
    if !within(timestamp, now_ms, SIGNATURE_TOLERANCE_MS) {
        return Err(AuthError::TimestampOutOfWindow("retrieve"));
    }
    let msg = sig::retrieve_signed_bytes(p.namespace, timestamp);
    check_sig(keys, &p.pubkey, auth, access::READ, &msg, "retrieve")
}

fn verify_revocation(
    keys: &dyn SignerKeys,
    p: &RevocationParams,
    unrevoke: bool,
    now_ms: u64,
) -> Res {
    let wording = if unrevoke {
        "unrevoke_subaccount"
    } else {
        "revoke_subaccount"
    };
    if !within(p.timestamp, now_ms, SIGNATURE_TOLERANCE_MS) {
        return Err(AuthError::TimestampOutOfWindow(wording));
    }
    if p.auth.subaccount.is_some() {
        // Subaccounts may not (un)revoke; the parser never fills this in.
        return Err(AuthError::SignatureFailed(wording));
    }
    let msg = sig::revoke_subaccount_signed_bytes(unrevoke, p.timestamp, &p.tokens);
    check_sig(keys, &p.pubkey, &p.auth, 0, &msg, wording)
}

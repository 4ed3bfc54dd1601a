//! Reading `params` objects into typed requests, with the storage server's checks and error
//! texts (session-storage-server `oxenss/rpc/client_rpc_endpoints.cpp` `load(...)` functions
//! and `batch::load_from`, commit 861638758ff6). Field types are checked first, then required
//! fields, then values, roughly in upstream's order.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::account::{AccountPubkey, SubaccountToken};
use super::encoding::decode_base64;
use super::fields::{self, expected, Fields};
use super::hash::is_valid_message_hash;
use super::limits::{
    BATCH_REQUEST_MAX, MAX_MESSAGE_BODY, MAX_MESSAGE_BODY_BASE64, MAX_SUBACCOUNT_TOKENS,
    MESSAGE_HASH_LEN,
};
use super::request::{
    DeleteParams, ExpireParams, GetExpiriesParams, GetSwarmParams, NamespacedTimeParams,
    OxendEndpoint, OxendRequestParams, Request, RetrieveParams, RevocationParams, StoreLifetime,
    StoreParams,
};
use super::signature::ExpireMode;

/// Why a request could not be read. `Display` is the exact body the storage server answers
/// with; every variant is HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The body is not JSON (or not an object).
    #[error("invalid json")]
    InvalidJson,
    /// No string `method`.
    #[error("invalid json: no `method` field")]
    NoMethod,
    /// No object `params`.
    #[error("invalid json: no `params` field")]
    NoParams,
    /// The method does not exist.
    #[error("no method {0}")]
    UnknownMethod(String),
    /// A required parameter is missing.
    #[error("invalid request: Required field '{0}' missing")]
    MissingField(&'static str),
    /// Neither of two alternative parameters is present.
    #[error("invalid request: Required field '{0}' or '{1}' missing")]
    MissingEither(&'static str, &'static str),
    /// Two mutually exclusive parameters are both present.
    #[error("invalid request: Cannot specify both '{0}' and '{1}'")]
    Conflicting(&'static str, &'static str),
    /// A parameter has the wrong JSON type.
    #[error("invalid request: Invalid value given for '{field}': expected {expected}")]
    WrongType {
        /// Parameter name.
        field: &'static str,
        /// What was expected, in upstream's words.
        expected: &'static str,
    },
    /// A timestamp looks like seconds rather than milliseconds.
    #[error("invalid request: Invalid timestamp for '{0}': timestamp must be in milliseconds")]
    TimestampNotMs(&'static str),
    /// A namespace outside -32768..=32767.
    #[error("invalid request: Invalid value given for '{0}': value out of range")]
    OutOfRange(&'static str),
    /// A string that should hold an integer does not.
    #[error("invalid request: Invalid value given for '{field}': {value}")]
    NotAnInteger {
        /// Parameter name.
        field: &'static str,
        /// The value as JSON text.
        value: String,
    },
    /// `pubkey` is not 66 hex digits.
    #[error("invalid request: Pubkey must be 66 hex digits (33 bytes) long")]
    BadPubkey,
    /// `get_swarm`'s wording of [`RequestError::BadPubkey`].
    #[error("invalid request: Pubkey must be 66 hex digits/33 bytes long")]
    BadSwarmPubkey,
    /// `pubkey_ed25519` given for a non-05 account.
    #[error("invalid request: pubkey_ed25519 is only permitted for 05[...] pubkeys")]
    EdKeyNotAllowed,
    /// `pubkey_ed25519` is 64 characters but not hex.
    #[error("invalid request: invalid pubkey_ed25519: value is not hex")]
    EdKeyNotHex,
    /// `pubkey_ed25519` has the wrong length.
    #[error("invalid request: Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey")]
    EdKeyLength,
    /// `signature` is not 64 bytes of base64.
    #[error("invalid request: invalid signature: expected base64 encoded Ed25519 signature")]
    BadSignature,
    /// `subaccount` without `subaccount_sig`.
    #[error(
        "invalid request: invalid subaccount: subaccount_sig is required when using subaccount"
    )]
    SubaccountSigMissing,
    /// `subaccount` is not a 36-byte token in base64 or hex.
    #[error(
        "invalid request: invalid subaccount: expected base64 or hex-encoded subaccount token"
    )]
    BadSubaccountToken,
    /// `subaccount_sig` is not 64 bytes of base64.
    #[error(
        "invalid request: invalid subaccount signature: expected base64 encoded Ed25519 signature"
    )]
    BadSubaccountSignature,
    /// `data` is not base64.
    #[error("invalid request: Invalid 'data' value: not base64 encoded")]
    DataNotBase64,
    /// `data` is larger than 76,800 bytes.
    #[error(
        "invalid request: Message body exceeds maximum allowed length of {MAX_MESSAGE_BODY} bytes"
    )]
    DataTooLarge,
    /// `last_hash` has 43 characters that are not base64.
    #[error("invalid request: Invalid last_hash: not base64")]
    LastHashNotBase64,
    /// `last_hash` is not 43 characters.
    #[error("invalid request: Invalid last_hash: expected base64 ({MESSAGE_HASH_LEN} chars)")]
    LastHashLength,
    /// `messages` is an empty list.
    #[error("invalid request: messages does not contain any message hashes")]
    NoMessages,
    /// A `messages` entry is not a 43-character base64 hash.
    #[error("invalid request: invalid message hash: {0}")]
    InvalidMessageHash(String),
    /// `expire` with an empty `expiry` list.
    #[error("invalid request: 'expiry' does not contain any expiration timestamps")]
    NoExpiries,
    /// `expire` with both `shorten` and `extend`.
    #[error("invalid request: cannot specify both 'shorten' and 'extend'")]
    ShortenAndExtend,
    /// `expire` with several expiries but not one per message.
    #[error("invalid request: 'expiry' must be a single expiry, or the same length as 'messages'")]
    ExpiryCountMismatch,
    /// `revoke_subaccount` with more than 50 tokens.
    #[error("invalid request: invalid revoke: cannot revoke more than {MAX_SUBACCOUNT_TOKENS} subaccounts at once")]
    TooManyRevocations,
    /// A `revoke`/`unrevoke` entry is not a token.
    #[error("invalid request: invalid {field}: expected base64 or hex-encoded subaccount tag")]
    BadRevocationToken {
        /// `revoke` or `unrevoke`.
        field: &'static str,
    },
    /// `oxend_request` to an endpoint that is not allowed.
    #[error("invalid request: Invalid oxend endpoint '{0}'")]
    InvalidOxendEndpoint(String),
    /// `batch` without a non-empty `requests` list.
    #[error("invalid request: Invalid batch request: no valid \"requests\" field")]
    BatchNoRequests,
    /// `batch` with more than 20 sub-requests.
    #[error("invalid request: Invalid batch request: subrequest limit exceeded")]
    BatchTooMany,
    /// A sub-request is not an object.
    #[error("invalid request: Invalid batch request: requests must be objects")]
    BatchNotObject,
    /// A sub-request lacks a string `method` or an object `params`.
    #[error("invalid request: Invalid batch request: subrequests must have method/params keys")]
    BatchNoMethodParams,
    /// A sub-request names an unknown method.
    #[error("invalid request: Invalid batch subrequest: invalid method \"{0}\"")]
    BatchUnknownMethod(String),
    /// A sub-request is itself `batch`, `sequence` or `ifelse`.
    #[error(
        "invalid request: Invalid batch subrequest: subrequests may not contain meta-requests"
    )]
    BatchNested,
}

impl RequestError {
    /// The HTTP status the server answers with (always 400).
    pub fn http_status(&self) -> u16 {
        400
    }
}

type Res<T> = Result<T, RequestError>;

/// Parses one non-meta method; `Ok(None)` when the name is unknown.
pub(super) fn parse_sub(method: &str, params: &Map<String, Value>) -> Res<Option<Request>> {
    let f = Fields(params);
    Ok(Some(match method {
        "store" => Request::Store(parse_store(&f)?),
        "retrieve" => Request::Retrieve(parse_retrieve(&f)?),
        "delete" => Request::Delete(parse_delete(&f)?),
        "delete_all" => Request::DeleteAll(parse_namespaced(&f, "timestamp")?),
        "delete_before" => Request::DeleteBefore(parse_namespaced(&f, "before")?),
        "expire_all" => Request::ExpireAll(parse_namespaced(&f, "expiry")?),
        "expire" => Request::Expire(parse_expire(&f)?),
        "get_expiries" => Request::GetExpiries(parse_get_expiries(&f)?),
        "get_swarm" | "get_snodes_for_pubkey" => Request::GetSwarm(parse_get_swarm(&f)?),
        "oxend_request" => Request::OxendRequest(parse_oxend(&f)?),
        "info" => Request::Info,
        "revoke_subaccount" => Request::RevokeSubaccount(parse_revocation(&f, "revoke")?),
        "unrevoke_subaccount" => Request::UnrevokeSubaccount(parse_revocation(&f, "unrevoke")?),
        _ => return Ok(None),
    }))
}

pub(super) fn parse_batch(params: &Map<String, Value>) -> Res<Vec<Request>> {
    let requests = match params.get("requests") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(RequestError::BatchNoRequests),
    };
    if requests.len() > BATCH_REQUEST_MAX {
        return Err(RequestError::BatchTooMany);
    }
    let mut out = Vec::with_capacity(requests.len());
    for item in requests {
        let obj = item.as_object().ok_or(RequestError::BatchNotObject)?;
        let (method, sub_params) = match (obj.get("method"), obj.get("params")) {
            (Some(Value::String(m)), Some(Value::Object(p))) => (m.as_str(), p),
            _ => return Err(RequestError::BatchNoMethodParams),
        };
        if matches!(method, "batch" | "sequence" | "ifelse") {
            return Err(RequestError::BatchNested);
        }
        let sub = parse_sub(method, sub_params)?
            .ok_or_else(|| RequestError::BatchUnknownMethod(method.to_owned()))?;
        out.push(sub);
    }
    Ok(out)
}

fn require<T>(value: Option<T>, name: &'static str) -> Res<T> {
    value.ok_or(RequestError::MissingField(name))
}

fn required_pubkey(f: &Fields<'_>, alias: bool) -> Res<AccountPubkey> {
    fields::account(require(f.pubkey(alias)?, "pubkey")?)
}

fn parse_store(f: &Fields<'_>) -> Res<StoreParams> {
    let data = f.string("data")?;
    let expiry = f.timestamp("expiry")?;
    let namespace = f.namespace("namespace")?.unwrap_or_default();
    let sig_timestamp = f.timestamp("sig_timestamp")?;
    let timestamp = f.stringified_u64("timestamp", expected::INT)?;
    let ttl = f.stringified_u64("ttl", expected::UINT)?;
    let timestamp = require(timestamp, "timestamp")?;
    let lifetime = match (expiry, ttl) {
        (Some(_), Some(_)) => return Err(RequestError::Conflicting("expiry", "ttl")),
        (Some(e), None) => StoreLifetime::Expiry(e),
        (None, Some(t)) => StoreLifetime::Ttl(t),
        (None, None) => return Err(RequestError::MissingEither("expiry", "ttl")),
    };
    let pubkey = required_pubkey(f, true)?;
    let (auth, sig_timestamp) = if f.get("signature").is_some() {
        (Some(f.auth(&pubkey, true)?), sig_timestamp)
    } else {
        // Without a signature the node ignores the other auth fields.
        (None, None)
    };
    let data = require(data, "data")?;
    let decoded = decode_base64(data).map_err(|_| RequestError::DataNotBase64)?;
    if data.len() > MAX_MESSAGE_BODY_BASE64 {
        return Err(RequestError::DataTooLarge);
    }
    let data = decoded;
    Ok(StoreParams {
        pubkey,
        timestamp,
        lifetime,
        data,
        namespace,
        sig_timestamp,
        auth,
    })
}

fn parse_retrieve(f: &Fields<'_>) -> Res<RetrieveParams> {
    let last_hash_alt = f.string("lastHash")?;
    let last_hash = f.string("last_hash")?;
    let max_count = f.int("max_count")?;
    let max_size = f.int("max_size")?;
    let namespace = f.namespace("namespace")?;
    let timestamp = f.timestamp("timestamp")?;
    let pubkey = required_pubkey(f, true)?;
    let needs_auth = f.get("pubkey_ed25519").is_some()
        || f.get("signature").is_some()
        || timestamp.is_some()
        || namespace.is_some_and(|ns| !ns.is_noauth_retrieve());
    let (auth, timestamp) = if needs_auth {
        let auth = f.auth(&pubkey, true)?;
        (Some(auth), Some(require(timestamp, "timestamp")?))
    } else {
        (None, None)
    };
    let last_hash = match (last_hash, last_hash_alt) {
        (Some(_), Some(_)) => return Err(RequestError::Conflicting("last_hash", "lastHash")),
        (a, b) => a.or(b).filter(|h| !h.is_empty()),
    };
    if let Some(h) = last_hash {
        if h.len() != MESSAGE_HASH_LEN {
            return Err(RequestError::LastHashLength);
        }
        if !is_valid_message_hash(h) {
            return Err(RequestError::LastHashNotBase64);
        }
    }
    Ok(RetrieveParams {
        pubkey,
        namespace: namespace.unwrap_or_default(),
        last_hash: last_hash.map(str::to_owned),
        max_count,
        max_size,
        timestamp,
        auth,
    })
}

fn parse_hashes(f: &Fields<'_>, check: bool) -> Res<Vec<String>> {
    let messages = require(f.str_array("messages")?, "messages")?;
    if messages.is_empty() {
        return Err(RequestError::NoMessages);
    }
    if check {
        if let Some(bad) = messages.iter().find(|m| !is_valid_message_hash(m)) {
            return Err(RequestError::InvalidMessageHash(bad.clone()));
        }
    }
    Ok(messages)
}

fn parse_delete(f: &Fields<'_>) -> Res<DeleteParams> {
    f.str_array("messages")?;
    let required = f.boolean("required")?.unwrap_or(false);
    let pubkey = required_pubkey(f, false)?;
    let auth = f.auth(&pubkey, true)?;
    let messages = parse_hashes(f, true)?;
    Ok(DeleteParams {
        pubkey,
        messages,
        required,
        auth,
    })
}

fn parse_namespaced(f: &Fields<'_>, time_name: &'static str) -> Res<NamespacedTimeParams> {
    let time = f.timestamp(time_name)?;
    let namespace = f.namespace_selector("namespace")?;
    let pubkey = required_pubkey(f, false)?;
    let auth = f.auth(&pubkey, true)?;
    Ok(NamespacedTimeParams {
        pubkey,
        namespace,
        time_ms: require(time, time_name)?,
        auth,
    })
}

fn parse_expire(f: &Fields<'_>) -> Res<ExpireParams> {
    let expiry = f.timestamp_array("expiry")?;
    let extend = f.boolean("extend")?.unwrap_or(false);
    f.str_array("messages")?;
    let shorten = f.boolean("shorten")?.unwrap_or(false);
    let pubkey = required_pubkey(f, false)?;
    let auth = f.auth(&pubkey, true)?;
    let expiry = require(expiry, "expiry")?;
    if expiry.is_empty() {
        return Err(RequestError::NoExpiries);
    }
    let mode = match (shorten, extend) {
        (true, true) => return Err(RequestError::ShortenAndExtend),
        (true, false) => ExpireMode::Shorten,
        (false, true) => ExpireMode::Extend,
        (false, false) => ExpireMode::Set,
    };
    let messages = require(f.str_array("messages")?, "messages")?;
    if messages.is_empty() {
        return Err(RequestError::NoMessages);
    }
    if expiry.len() > 1 && expiry.len() != messages.len() {
        return Err(RequestError::ExpiryCountMismatch);
    }
    if let Some(bad) = messages.iter().find(|m| !is_valid_message_hash(m)) {
        return Err(RequestError::InvalidMessageHash(bad.clone()));
    }
    Ok(ExpireParams {
        pubkey,
        messages,
        expiry,
        mode,
        auth,
    })
}

fn parse_get_expiries(f: &Fields<'_>) -> Res<GetExpiriesParams> {
    f.str_array("messages")?;
    let timestamp = f.timestamp("timestamp")?;
    let pubkey = required_pubkey(f, false)?;
    let auth = f.auth(&pubkey, true)?;
    let timestamp = require(timestamp, "timestamp")?;
    // Upstream does not check the shape of these hashes (it also accepts "all").
    let messages = parse_hashes(f, false)?;
    Ok(GetExpiriesParams {
        pubkey,
        messages,
        timestamp,
        auth,
    })
}

fn parse_get_swarm(f: &Fields<'_>) -> Res<GetSwarmParams> {
    let text = require(f.pubkey(true)?, "pubkey")?;
    let pubkey = AccountPubkey::from_hex(text).map_err(|_| RequestError::BadSwarmPubkey)?;
    Ok(GetSwarmParams { pubkey })
}

fn parse_oxend(f: &Fields<'_>) -> Res<OxendRequestParams> {
    let endpoint = require(f.string("endpoint")?, "endpoint")?;
    let endpoint = match endpoint {
        "get_service_nodes" => OxendEndpoint::GetServiceNodes,
        "ons_resolve" => OxendEndpoint::OnsResolve,
        other => return Err(RequestError::InvalidOxendEndpoint(other.to_owned())),
    };
    Ok(OxendRequestParams {
        endpoint,
        params: f.get("params").cloned(),
    })
}

fn parse_revocation(f: &Fields<'_>, list_name: &'static str) -> Res<RevocationParams> {
    let list = f.str_array(list_name)?;
    let timestamp = f.timestamp("timestamp")?;
    let pubkey = required_pubkey(f, false)?;
    let auth = f.auth(&pubkey, false)?;
    let list = require(list, list_name)?;
    if list_name == "revoke" && list.len() > MAX_SUBACCOUNT_TOKENS {
        return Err(RequestError::TooManyRevocations);
    }
    let tokens = list
        .iter()
        .map(|t| SubaccountToken::from_text(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| RequestError::BadRevocationToken { field: list_name })?;
    Ok(RevocationParams {
        pubkey,
        tokens,
        timestamp: require(timestamp, "timestamp")?,
        auth,
    })
}

/// `Deserialize` for params types through the same parser as [`Request::parse`].
macro_rules! deserialize_via {
    ($ty:ty, $parse:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let map = Map::<String, Value>::deserialize(d)?;
                let parse: fn(&Fields<'_>) -> Res<$ty> = $parse;
                parse(&Fields(&map)).map_err(serde::de::Error::custom)
            }
        }
    };
}

deserialize_via!(StoreParams, parse_store);
deserialize_via!(RetrieveParams, parse_retrieve);
deserialize_via!(DeleteParams, parse_delete);
deserialize_via!(ExpireParams, parse_expire);
deserialize_via!(GetExpiriesParams, parse_get_expiries);
deserialize_via!(GetSwarmParams, parse_get_swarm);
deserialize_via!(OxendRequestParams, parse_oxend);

//! Typed storage-server requests: `{"method": …, "params": {…}}`.
//!
//! [`Request::parse`] reads a request body the way session-storage-server does
//! (`oxenss/rpc/client_rpc_endpoints.cpp`, `request_handler.cpp`, commit 861638758ff6) and
//! fails with a [`RequestError`] whose text is the body the server would answer with (status
//! 400). Serialising a request gives the JSON a client sends; every params type also
//! implements `Deserialize` through the same parser, so both directions agree.
//!
//! Facts confirmed upstream and kept here: `pubKey` is an alias of `pubkey` for `store`,
//! `retrieve` and `get_swarm`; `lastHash` of `last_hash`; an empty `last_hash` means none;
//! `retrieve` needs a signature when it has `signature`, `timestamp`, `pubkey_ed25519`, or an
//! explicit namespace that is not public-retrievable (otherwise the node answers 401 later);
//! `store` signs `sig_timestamp`, defaulting to `timestamp`; `store` takes `ttl` or `expiry`
//! (exactly one); `batch`/`sequence` hold 1 to 20 sub-requests, none of them meta-requests.
//! Not supported: `ifelse` (answered as an unknown method).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::account::{AccountPubkey, SignedSubaccount, SubaccountToken};
use super::encoding::{bytes_b64, sig_b64};
use super::namespace::{Namespace, NamespaceSelector};
use super::parse::{parse_batch, parse_sub};
use super::signature::ExpireMode;

pub use super::parse::RequestError;

type Res<T> = Result<T, RequestError>;

/// The account signature of a request (plus optional subaccount authorisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestAuth {
    /// Ed25519 signature over the method's signed bytes.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
    /// For 05 accounts: the Ed25519 key that signed (must convert to the X25519 `pubkey`).
    #[serde(
        serialize_with = "ser_opt_key_hex",
        skip_serializing_if = "Option::is_none"
    )]
    pub pubkey_ed25519: Option<[u8; 32]>,
    /// Subaccount token and owner signature; then `signature` is by the token's key.
    #[serde(flatten)]
    pub subaccount: Option<SignedSubaccount>,
}

fn ser_opt_key_hex<S: Serializer>(key: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match key {
        Some(k) => s.serialize_str(&hex::encode(k)),
        None => s.serialize_none(),
    }
}

fn ns_is_default(ns: &Namespace) -> bool {
    ns.is_default()
}

/// `store`'s lifetime: relative `ttl` or absolute `expiry` (both ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreLifetime {
    /// Lifetime relative to `timestamp`.
    Ttl(u64),
    /// Absolute expiry time.
    Expiry(u64),
}

/// `store` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreParams {
    /// Recipient account.
    pub pubkey: AccountPubkey,
    /// Message timestamp (ms).
    pub timestamp: u64,
    /// TTL or expiry.
    #[serde(flatten)]
    pub lifetime: StoreLifetime,
    /// The message, raw bytes (base64 on the wire).
    #[serde(with = "bytes_b64")]
    pub data: Vec<u8>,
    /// Target namespace (omitted when 0).
    #[serde(skip_serializing_if = "ns_is_default")]
    pub namespace: Namespace,
    /// Timestamp covered by the signature (defaults to `timestamp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sig_timestamp: Option<u64>,
    /// Signature; required unless the namespace is a public inbox.
    #[serde(flatten)]
    pub auth: Option<RequestAuth>,
}

impl StoreParams {
    /// The absolute expiry (`timestamp + ttl` or `expiry`).
    pub fn expiry_ms(&self) -> u64 {
        match self.lifetime {
            StoreLifetime::Ttl(ttl) => self.timestamp.saturating_add(ttl),
            StoreLifetime::Expiry(e) => e,
        }
    }

    /// The timestamp the signature covers.
    pub fn effective_sig_timestamp(&self) -> u64 {
        self.sig_timestamp.unwrap_or(self.timestamp)
    }
}

/// `retrieve` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetrieveParams {
    /// Account to read.
    pub pubkey: AccountPubkey,
    /// Namespace (omitted when 0).
    #[serde(skip_serializing_if = "ns_is_default")]
    pub namespace: Namespace,
    /// Return messages stored after this hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_hash: Option<String>,
    /// Most messages to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_count: Option<i32>,
    /// Most bytes (negative = fraction of 7.8 MB; see `limits::effective_retrieve_max_size`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<i32>,
    /// Signature timestamp (present with `auth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Signature; needed except for namespaces -10 and public outboxes.
    #[serde(flatten)]
    pub auth: Option<RequestAuth>,
}

/// `delete` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeleteParams {
    /// Account.
    pub pubkey: AccountPubkey,
    /// Hashes to delete.
    pub messages: Vec<String>,
    /// Answer 404 if nothing was deleted anywhere.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Signature.
    #[serde(flatten)]
    pub auth: RequestAuth,
}

/// Parameters shared by `delete_all`, `delete_before` and `expire_all`: a namespace selector
/// and one timestamp (named `timestamp`, `before` or `expiry` on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespacedTimeParams {
    /// Account.
    pub pubkey: AccountPubkey,
    /// Namespace or all.
    pub namespace: NamespaceSelector,
    /// `timestamp` (delete_all), `before` (delete_before) or `expiry` (expire_all), ms.
    pub time_ms: u64,
    /// Signature.
    pub auth: RequestAuth,
}

/// `delete_all` parameters (`time_ms` = request timestamp).
pub type DeleteAllParams = NamespacedTimeParams;
/// `delete_before` parameters (`time_ms` = `before`).
pub type DeleteBeforeParams = NamespacedTimeParams;
/// `expire_all` parameters (`time_ms` = new expiry).
pub type ExpireAllParams = NamespacedTimeParams;

/// `expire` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpireParams {
    /// Account.
    pub pubkey: AccountPubkey,
    /// Hashes to update.
    pub messages: Vec<String>,
    /// One expiry for all, or one per message (ms).
    pub expiry: Vec<u64>,
    /// Shorten-only, extend-only, or set.
    pub mode: ExpireMode,
    /// Signature.
    pub auth: RequestAuth,
}

/// `get_expiries` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetExpiriesParams {
    /// Account.
    pub pubkey: AccountPubkey,
    /// Hashes to look up.
    pub messages: Vec<String>,
    /// Signature timestamp.
    pub timestamp: u64,
    /// Signature.
    #[serde(flatten)]
    pub auth: RequestAuth,
}

/// `get_swarm` / `get_snodes_for_pubkey` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetSwarmParams {
    /// Account whose swarm is wanted.
    pub pubkey: AccountPubkey,
}

/// The oxend endpoints a node forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OxendEndpoint {
    /// The service-node list.
    GetServiceNodes,
    /// ONS name lookup.
    OnsResolve,
}

/// `oxend_request` parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OxendRequestParams {
    /// Endpoint.
    pub endpoint: OxendEndpoint,
    /// Parameters passed to oxend unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// `revoke_subaccount` / `unrevoke_subaccount` parameters (tokens under `revoke`/`unrevoke`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationParams {
    /// Account (normally a 03 group).
    pub pubkey: AccountPubkey,
    /// Tokens to (un)revoke.
    pub tokens: Vec<SubaccountToken>,
    /// Signature timestamp.
    pub timestamp: u64,
    /// Signature (subaccounts may not revoke).
    pub auth: RequestAuth,
}

/// One storage-server request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `store`.
    Store(StoreParams),
    /// `retrieve`.
    Retrieve(RetrieveParams),
    /// `delete`.
    Delete(DeleteParams),
    /// `delete_all`.
    DeleteAll(DeleteAllParams),
    /// `delete_before`.
    DeleteBefore(DeleteBeforeParams),
    /// `expire`.
    Expire(ExpireParams),
    /// `expire_all`.
    ExpireAll(ExpireAllParams),
    /// `get_expiries`.
    GetExpiries(GetExpiriesParams),
    /// `get_swarm` (alias `get_snodes_for_pubkey`).
    GetSwarm(GetSwarmParams),
    /// `oxend_request`.
    OxendRequest(OxendRequestParams),
    /// `info`.
    Info,
    /// `revoke_subaccount`.
    RevokeSubaccount(RevocationParams),
    /// `unrevoke_subaccount`.
    UnrevokeSubaccount(RevocationParams),
    /// `batch`: sub-requests run independently.
    Batch(Vec<Request>),
    /// `sequence`: sub-requests run in order, stopping at the first non-2xx.
    Sequence(Vec<Request>),
}

impl Request {
    /// The method name on the wire.
    pub fn method(&self) -> &'static str {
        match self {
            Request::Store(_) => "store",
            Request::Retrieve(_) => "retrieve",
            Request::Delete(_) => "delete",
            Request::DeleteAll(_) => "delete_all",
            Request::DeleteBefore(_) => "delete_before",
            Request::Expire(_) => "expire",
            Request::ExpireAll(_) => "expire_all",
            Request::GetExpiries(_) => "get_expiries",
            Request::GetSwarm(_) => "get_swarm",
            Request::OxendRequest(_) => "oxend_request",
            Request::Info => "info",
            Request::RevokeSubaccount(_) => "revoke_subaccount",
            Request::UnrevokeSubaccount(_) => "unrevoke_subaccount",
            Request::Batch(_) => "batch",
            Request::Sequence(_) => "sequence",
        }
    }

    /// The account the request is about (the node checks it belongs to its swarm), if any.
    pub fn account(&self) -> Option<&AccountPubkey> {
        match self {
            Request::Store(p) => Some(&p.pubkey),
            Request::Retrieve(p) => Some(&p.pubkey),
            Request::Delete(p) => Some(&p.pubkey),
            Request::DeleteAll(p) | Request::DeleteBefore(p) | Request::ExpireAll(p) => {
                Some(&p.pubkey)
            }
            Request::Expire(p) => Some(&p.pubkey),
            Request::GetExpiries(p) => Some(&p.pubkey),
            Request::RevokeSubaccount(p) | Request::UnrevokeSubaccount(p) => Some(&p.pubkey),
            Request::GetSwarm(_)
            | Request::OxendRequest(_)
            | Request::Info
            | Request::Batch(_)
            | Request::Sequence(_) => None,
        }
    }

    /// True for methods the receiving node forwards to its whole swarm.
    pub fn is_recursive(&self) -> bool {
        matches!(
            self,
            Request::Store(_)
                | Request::Delete(_)
                | Request::DeleteAll(_)
                | Request::DeleteBefore(_)
                | Request::Expire(_)
                | Request::ExpireAll(_)
                | Request::RevokeSubaccount(_)
                | Request::UnrevokeSubaccount(_)
        )
    }

    /// Parses a request body `{"method": …, "params": {…}}`.
    pub fn parse(body: &[u8]) -> Res<Request> {
        let value: Value = serde_json::from_slice(body).map_err(|_| RequestError::InvalidJson)?;
        Request::from_json(&value)
    }

    /// Parses an already-decoded JSON request object.
    pub fn from_json(value: &Value) -> Res<Request> {
        let obj = value.as_object().ok_or(RequestError::NoMethod)?;
        let method = obj
            .get("method")
            .and_then(Value::as_str)
            .ok_or(RequestError::NoMethod)?;
        let params = obj
            .get("params")
            .and_then(Value::as_object)
            .ok_or(RequestError::NoParams)?;
        Request::from_method_params(method, params)
    }

    /// Parses the params of a named method.
    pub fn from_method_params(method: &str, params: &Map<String, Value>) -> Res<Request> {
        match method {
            "batch" => parse_batch(params).map(Request::Batch),
            "sequence" => parse_batch(params).map(Request::Sequence),
            _ => parse_sub(method, params)?.ok_or(RequestError::UnknownMethod(method.to_owned())),
        }
    }

    /// The JSON `params` object.
    pub fn params_json(&self) -> Value {
        let result = match self {
            Request::Store(p) => serde_json::to_value(p),
            Request::Retrieve(p) => serde_json::to_value(p),
            Request::Delete(p) => serde_json::to_value(p),
            Request::DeleteAll(p) => Ok(p.to_json("timestamp")),
            Request::DeleteBefore(p) => Ok(p.to_json("before")),
            Request::ExpireAll(p) => Ok(p.to_json("expiry")),
            Request::Expire(p) => Ok(p.to_json()),
            Request::GetExpiries(p) => serde_json::to_value(p),
            Request::GetSwarm(p) => serde_json::to_value(p),
            Request::OxendRequest(p) => serde_json::to_value(p),
            Request::Info => Ok(Value::Object(Map::new())),
            Request::RevokeSubaccount(p) => Ok(p.to_json("revoke")),
            Request::UnrevokeSubaccount(p) => Ok(p.to_json("unrevoke")),
            Request::Batch(subs) | Request::Sequence(subs) => Ok(serde_json::json!({
                "requests": subs.iter().map(Request::to_json).collect::<Vec<_>>()
            })),
        };
        // Serialising these plain structs into a Value cannot fail (string keys, no floats).
        result.unwrap_or(Value::Null)
    }

    /// The whole request object `{"method", "params"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "method": self.method(), "params": self.params_json() })
    }

    /// The request body bytes.
    pub fn to_body(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Request::from_json(&v).map_err(serde::de::Error::custom)
    }
}

fn auth_json(map: &mut Map<String, Value>, auth: &RequestAuth) {
    if let Ok(Value::Object(fields)) = serde_json::to_value(auth) {
        map.extend(fields);
    }
}

impl NamespacedTimeParams {
    fn to_json(&self, time_name: &str) -> Value {
        let mut map = Map::new();
        map.insert("pubkey".into(), Value::String(self.pubkey.to_hex()));
        let ns = match self.namespace {
            NamespaceSelector::One(ns) => Value::from(ns.get()),
            NamespaceSelector::All => Value::from("all"),
        };
        map.insert("namespace".into(), ns);
        map.insert(time_name.into(), Value::from(self.time_ms));
        auth_json(&mut map, &self.auth);
        Value::Object(map)
    }
}

impl ExpireParams {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("pubkey".into(), Value::String(self.pubkey.to_hex()));
        map.insert("messages".into(), Value::from(self.messages.clone()));
        let expiry = match self.expiry.as_slice() {
            [one] => Value::from(*one),
            many => Value::from(many.to_vec()),
        };
        map.insert("expiry".into(), expiry);
        match self.mode {
            ExpireMode::Set => {}
            ExpireMode::Shorten => {
                map.insert("shorten".into(), Value::Bool(true));
            }
            ExpireMode::Extend => {
                map.insert("extend".into(), Value::Bool(true));
            }
        }
        auth_json(&mut map, &self.auth);
        Value::Object(map)
    }
}

impl RevocationParams {
    fn to_json(&self, list_name: &str) -> Value {
        let mut map = Map::new();
        map.insert("pubkey".into(), Value::String(self.pubkey.to_hex()));
        let tokens: Vec<String> = self.tokens.iter().map(SubaccountToken::to_base64).collect();
        map.insert(list_name.into(), Value::from(tokens));
        map.insert("timestamp".into(), Value::from(self.timestamp));
        auth_json(&mut map, &self.auth);
        Value::Object(map)
    }
}

impl Serialize for ExpireParams {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

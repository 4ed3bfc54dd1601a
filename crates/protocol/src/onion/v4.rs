//! v4 onion requests to servers (SOGS, file server): target [`V4_TARGET`], request and response
//! are bencoded lists of byte strings.
//!
//! * request: `l<len>:<json meta>[<len>:<body>]e`, meta `{"method","endpoint","headers"}`,
//!   endpoint starting with `/`; the body is present for POST/PUT only.
//! * response: `l<len>:{"code":<int>,"headers":{..}}<len>:<body>e`, header names lower-case.
//!
//! Meta JSON is written compact with keys in the order above (as desktop writes it) and header
//! order kept, so decoding and re-encoding such input is byte-exact.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{push_json_str, OnionError};

/// Relay target of v4 requests.
pub const V4_TARGET: &str = "/oxen/v4/lsrpc";

/// Longest accepted decimal length prefix in the bencoding (keeps the arithmetic in range).
const MAX_LEN_DIGITS: usize = 12;

/// A v4 request to a server, before encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Request {
    /// HTTP method, e.g. `"GET"`.
    pub method: String,
    /// Path and query, starting with `/`.
    pub endpoint: String,
    /// HTTP headers in order (names as given; servers treat them case-insensitively).
    pub headers: Vec<(String, String)>,
    /// Request body; `None` encodes a one-element list.
    pub body: Option<Vec<u8>>,
}

/// A v4 response from a server, after decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Response {
    /// HTTP status code (`"code"`).
    pub code: u16,
    /// Response headers in order; names are lower-case from PySOGS.
    pub headers: Vec<(String, String)>,
    /// Response body bytes.
    pub body: Vec<u8>,
}

#[derive(Deserialize)]
struct RequestMeta {
    method: Option<String>,
    endpoint: Option<String>,
    #[serde(default)]
    headers: OrderedHeaders,
}

#[derive(Deserialize)]
struct ResponseMeta {
    code: Option<i64>,
    #[serde(default)]
    headers: OrderedHeaders,
}

/// A JSON object of string values, keeping the order of its members.
#[derive(Default)]
struct OrderedHeaders(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedHeaders {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeadersVisitor;
        impl<'de> Visitor<'de> for HeadersVisitor {
            type Value = OrderedHeaders;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedHeaders, A::Error> {
                let mut headers = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    headers.push(entry);
                }
                Ok(OrderedHeaders(headers))
            }
        }
        deserializer.deserialize_map(HeadersVisitor)
    }
}

impl V4Request {
    /// A request without a body.
    pub fn new(method: impl Into<String>, endpoint: impl Into<String>) -> V4Request {
        V4Request {
            method: method.into(),
            endpoint: endpoint.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Bencodes the request.
    pub fn encode(&self) -> Vec<u8> {
        let mut meta = Vec::with_capacity(64 + self.endpoint.len());
        meta.extend_from_slice(b"{\"method\":");
        push_json_str(&mut meta, &self.method);
        meta.extend_from_slice(b",\"endpoint\":");
        push_json_str(&mut meta, &self.endpoint);
        meta.extend_from_slice(b",\"headers\":");
        push_headers(&mut meta, &self.headers);
        meta.push(b'}');
        let parts: &[&[u8]] = match &self.body {
            Some(body) => &[&meta, body],
            None => &[&meta],
        };
        bencode_list(parts)
    }

    /// Decodes a bencoded request of one or two strings.
    pub fn decode(bytes: &[u8]) -> Result<V4Request, OnionError> {
        let parts = bdecode_list(bytes)?;
        let (meta, body) = match parts.as_slice() {
            [meta] => (*meta, None),
            [meta, body] => (*meta, Some(body.to_vec())),
            _ => return Err(OnionError::BadBencode("a v4 request has 1 or 2 parts")),
        };
        let meta: RequestMeta = parse_meta(meta, "v4 request metadata")?;
        let what = "v4 request metadata";
        let method = meta.method.ok_or(OnionError::MissingField {
            what,
            field: "method",
        })?;
        let endpoint = meta.endpoint.ok_or(OnionError::MissingField {
            what,
            field: "endpoint",
        })?;
        if !endpoint.starts_with('/') {
            return Err(OnionError::BadField {
                field: "endpoint",
                expected: "a path starting with /",
            });
        }
        Ok(V4Request {
            method,
            endpoint,
            headers: meta.headers.0,
            body,
        })
    }
}

impl V4Response {
    /// Bencodes the response (always two parts).
    pub fn encode(&self) -> Vec<u8> {
        let mut meta = Vec::with_capacity(64);
        meta.extend_from_slice(b"{\"code\":");
        meta.extend_from_slice(self.code.to_string().as_bytes());
        meta.extend_from_slice(b",\"headers\":");
        push_headers(&mut meta, &self.headers);
        meta.push(b'}');
        bencode_list(&[&meta, &self.body])
    }

    /// Decodes a bencoded two-part response.
    pub fn decode(bytes: &[u8]) -> Result<V4Response, OnionError> {
        let parts = bdecode_list(bytes)?;
        let [meta, body] = parts.as_slice() else {
            return Err(OnionError::BadBencode("a v4 response has exactly 2 parts"));
        };
        let meta: ResponseMeta = parse_meta(meta, "v4 response metadata")?;
        let code = meta.code.ok_or(OnionError::MissingField {
            what: "v4 response metadata",
            field: "code",
        })?;
        let code = u16::try_from(code).map_err(|_| OnionError::BadField {
            field: "code",
            expected: "an HTTP status code",
        })?;
        Ok(V4Response {
            code,
            headers: meta.headers.0,
            body: body.to_vec(),
        })
    }

    /// The first header named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `content-type` header, which tells how to read the body.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

fn parse_meta<'a, T: Deserialize<'a>>(meta: &'a [u8], what: &'static str) -> Result<T, OnionError> {
    serde_json::from_slice(meta).map_err(|e| OnionError::BadJson {
        what,
        reason: e.to_string(),
    })
}

fn push_headers(out: &mut Vec<u8>, headers: &[(String, String)]) {
    out.push(b'{');
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_str(out, name);
        out.push(b':');
        push_json_str(out, value);
    }
    out.push(b'}');
}

fn bencode_list(parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len() + 12).sum();
    let mut out = Vec::with_capacity(len + 2);
    out.push(b'l');
    for part in parts {
        out.extend_from_slice(part.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(part);
    }
    out.push(b'e');
    out
}

/// Splits a bencoded list of byte strings (nothing else is used by v4).
fn bdecode_list(bytes: &[u8]) -> Result<Vec<&[u8]>, OnionError> {
    let mut rest = match bytes.split_first() {
        Some((b'l', rest)) => rest,
        _ => return Err(OnionError::BadBencode("expected a list starting with 'l'")),
    };
    let mut parts = Vec::with_capacity(2);
    loop {
        match rest.split_first() {
            None => return Err(OnionError::BadBencode("list is not terminated by 'e'")),
            Some((b'e', after)) => {
                if !after.is_empty() {
                    return Err(OnionError::BadBencode("bytes follow the end of the list"));
                }
                return Ok(parts);
            }
            Some(_) => {
                let (part, after) = bdecode_string(rest)?;
                parts.push(part);
                rest = after;
            }
        }
    }
}

/// Reads `<decimal len>:<bytes>`, returning the bytes and what follows.
fn bdecode_string(bytes: &[u8]) -> Result<(&[u8], &[u8]), OnionError> {
    let colon = bytes
        .iter()
        .take(MAX_LEN_DIGITS + 1)
        .position(|&b| b == b':')
        .ok_or(OnionError::BadBencode(
            "expected a string length followed by ':'",
        ))?;
    let (digits, after) = bytes.split_at(colon);
    let after = after.get(1..).unwrap_or_default();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(OnionError::BadBencode(
            "string length is not a decimal number",
        ));
    }
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return Err(OnionError::BadBencode("string length has a leading zero"));
    }
    let len = digits.iter().fold(0usize, |n, d| {
        n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
    });
    after
        .split_at_checked(len)
        .ok_or(OnionError::BadBencode("string is shorter than its length"))
}

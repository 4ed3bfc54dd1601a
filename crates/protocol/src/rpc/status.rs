//! HTTP status codes the storage server answers with, and fixed error texts.
//!
//! Codes and reason phrases: session-storage-server `oxenss/server/utils.h`; texts:
//! `oxenss/server/https.cpp` and `oxenss/rpc/request_handler.cpp` (commit 861638758ff6).
//! Error bodies are plain text except 421, whose body is the swarm JSON
//! ([`super::response::SwarmResponse`]).

use std::fmt;

/// An HTTP status code as the storage server uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(pub u16);

impl StatusCode {
    /// Success.
    pub const OK: StatusCode = StatusCode(200);
    /// Malformed request (parse errors, unknown method, bad JSON).
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    /// Missing or failed signature (also `delete_before`/`expire` bad timestamps).
    pub const UNAUTHORIZED: StatusCode = StatusCode(401);
    /// `store` with an invalid TTL.
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    /// `delete` with `required: true` that deleted nothing.
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    /// Clock problems: timestamps out of the allowed window.
    pub const NOT_ACCEPTABLE: StatusCode = StatusCode(406);
    /// Long polling (`x-loki-long-poll` header) is gone.
    pub const GONE: StatusCode = StatusCode(410);
    /// Request body larger than 10 MiB.
    pub const PAYLOAD_TOO_LARGE: StatusCode = StatusCode(413);
    /// The account belongs to another swarm; body = swarm JSON.
    pub const MISDIRECTED_REQUEST: StatusCode = StatusCode(421);
    /// Desktop treats 425 like 406 (clock out of sync).
    pub const TOO_EARLY: StatusCode = StatusCode(425);
    /// Rate limited.
    pub const TOO_MANY_REQUESTS: StatusCode = StatusCode(429);
    /// Server failure, or every swarm member failed a recursive request.
    pub const INTERNAL_SERVER_ERROR: StatusCode = StatusCode(500);
    /// Onion relay: next node unknown.
    pub const BAD_GATEWAY: StatusCode = StatusCode(502);
    /// Node not ready.
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);
    /// Onion relay: request timed out.
    pub const GATEWAY_TIMEOUT: StatusCode = StatusCode(504);

    /// The numeric code.
    pub fn as_u16(self) -> u16 {
        self.0
    }

    /// True for 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// The reason phrase the storage server sends with this code.
    pub fn reason(self) -> &'static str {
        match self.0 {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            406 => "Not Acceptable",
            410 => "Gone",
            413 => "Payload Too Large",
            421 => "Misdirected Request",
            425 => "Too Early",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Unknown",
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason())
    }
}

/// Body of the 413 answer to a too-large HTTPS request.
pub const TEXT_BODY_TOO_LARGE: &str = "Request body too large";
/// Body of the 410 answer to a long-poll request.
pub const TEXT_LONG_POLL_GONE: &str =
    "long polling is no longer supported, client upgrade required";
/// Body of a 500 when a request handler failed unexpectedly.
pub const TEXT_REQUEST_FAILED: &str = "request failed";
/// Body of the 503 sent while the node is not ready.
pub const TEXT_SNODE_NOT_READY: &str = "Snode not ready";

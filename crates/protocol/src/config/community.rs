//! Community (open group) URLs as stored in UserGroups / ConvoInfoVolatile (CONFIG-GROUPS.md §2.4).
//!
//! Confirmed in libsession-util `src/config/community.cpp` and `src/util.cpp` (`parse_url`):
//! * scheme `http`/`https` (any case) required, written lower-case;
//! * host: `[a-z0-9-]` (upper-case folded) labels separated by single dots, ≥ 4 characters, at
//!   least one dot, not ending in a dot; parsing of the host stops at the first other character;
//! * `:port` (u16) kept unless it is the scheme default (80 / 443);
//! * a remaining path longer than `/` is an error; a lone `/` is dropped; anything else left over
//!   (e.g. a `?query`) is ignored, as upstream does;
//! * base URL at most 267 bytes;
//! * full URL: `?public_key=` (last occurrence) then room after the last `/r/` or else the last
//!   `/`; the room is stored as given (`n`) but keyed lower-case, `[-0-9_a-z]`, 1..=64 chars;
//! * pubkey: 64 hex, 43 (or 44 with `=`) base64 (both alphabets), or 52 base32z.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use thiserror::Error;

/// Longest canonical base URL.
pub const BASE_URL_MAX_LENGTH: usize = 267;
/// Longest room token.
pub const ROOM_MAX_LENGTH: usize = 64;
/// The query-string marker before the pubkey.
pub const QS_PUBKEY: &str = "?public_key=";

/// Why a community URL or room was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommunityError {
    /// no `http://` / `https://`
    #[error("invalid community URL: it must start with http:// or https://")]
    BadScheme,
    /// host name not acceptable
    #[error("invalid community URL: the host name is invalid")]
    BadHost,
    /// port not a number 0..=65535
    #[error("invalid community URL: the port is invalid")]
    BadPort,
    /// a path after the host
    #[error("invalid community URL: unexpected path after the server address")]
    UnexpectedPath,
    /// base URL over 267 bytes
    #[error("invalid community URL: the server address is too long")]
    TooLong,
    /// empty room token
    #[error("invalid community room: the room token is empty")]
    EmptyRoom,
    /// room over 64 characters
    #[error("invalid community room: the room token is longer than 64 characters")]
    RoomTooLong,
    /// room with other characters than `[-0-9_a-zA-Z]`
    #[error("invalid community room: only letters, digits, '-' and '_' are allowed")]
    RoomChars,
    /// pubkey encoding not recognised
    #[error(
        "invalid community public key: expected 64 hex, 43/44 base64 or 52 base32z characters"
    )]
    BadPubkey,
    /// full URL without `?public_key=`
    #[error("invalid community URL: it has no ?public_key= part")]
    MissingPubkey,
}

/// Canonical base URL (`scheme://host[:port]`).
pub fn canonical_url(url: &str) -> Result<String, CommunityError> {
    let (scheme, rest) = url.split_once("://").ok_or(CommunityError::BadScheme)?;
    let mut out = if scheme.eq_ignore_ascii_case("http") {
        String::from("http://")
    } else if scheme.eq_ignore_ascii_case("https") {
        String::from("https://")
    } else {
        return Err(CommunityError::BadScheme);
    };
    let https = out == "https://";
    let bytes = rest.as_bytes();
    let mut i = 0;
    let mut host = String::new();
    let mut allow_dot = false;
    let mut has_dot = false;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' | b'a'..=b'z' | b'-' => host.push(c as char),
            b'A'..=b'Z' => host.push(c.to_ascii_lowercase() as char),
            b'.' if allow_dot => {
                host.push('.');
                has_dot = true;
                allow_dot = false;
                i += 1;
                continue;
            }
            _ => break,
        }
        allow_dot = true;
        i += 1;
    }
    if host.len() < 4 || !has_dot || host.ends_with('.') {
        return Err(CommunityError::BadHost);
    }
    out.push_str(&host);
    let mut rest = &rest[i..];
    if let Some(after) = rest.strip_prefix(':') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let port: u16 = after[..digits]
            .parse()
            .map_err(|_| CommunityError::BadPort)?;
        rest = &after[digits..];
        if port != if https { 443 } else { 80 } {
            out.push(':');
            out.push_str(&port.to_string());
        }
    }
    if rest.len() > 1 && rest.starts_with('/') {
        return Err(CommunityError::UnexpectedPath);
    }
    if out.len() > BASE_URL_MAX_LENGTH {
        return Err(CommunityError::TooLong);
    }
    Ok(out)
}

/// Canonical (lower-case, validated) room token.
pub fn canonical_room(room: &str) -> Result<String, CommunityError> {
    let r = room.to_ascii_lowercase();
    if r.len() > ROOM_MAX_LENGTH {
        return Err(CommunityError::RoomTooLong);
    }
    if r.is_empty() {
        return Err(CommunityError::EmptyRoom);
    }
    if !r
        .bytes()
        .all(|c| c == b'-' || c == b'_' || c.is_ascii_digit() || c.is_ascii_lowercase())
    {
        return Err(CommunityError::RoomChars);
    }
    Ok(r)
}

const BASE32Z: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Decodes a server pubkey from hex, base64 or base32z.
pub fn decode_pubkey(s: &str) -> Result<[u8; 32], CommunityError> {
    let bytes = match s.len() {
        64 => hex::decode(s).map_err(|_| CommunityError::BadPubkey)?,
        43 | 44 => {
            let body = if s.len() == 44 {
                s.strip_suffix('=').ok_or(CommunityError::BadPubkey)?
            } else {
                s
            };
            let std_alpha: String = body
                .chars()
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            let engine = GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(DecodePaddingMode::RequireNone),
            );
            engine
                .decode(std_alpha)
                .map_err(|_| CommunityError::BadPubkey)?
        }
        52 => {
            let mut out = Vec::with_capacity(33);
            let (mut acc, mut bits) = (0u32, 0u32);
            for c in s.bytes() {
                let v = BASE32Z
                    .iter()
                    .position(|&a| a == c.to_ascii_lowercase())
                    .ok_or(CommunityError::BadPubkey)?;
                acc = (acc << 5) | v as u32;
                bits += 5;
                if bits >= 8 {
                    bits -= 8;
                    out.push((acc >> bits) as u8);
                    acc &= (1 << bits) - 1;
                }
            }
            out
        }
        _ => return Err(CommunityError::BadPubkey),
    };
    bytes.try_into().map_err(|_| CommunityError::BadPubkey)
}

/// A parsed community URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityUrl {
    /// canonical base URL
    pub base_url: String,
    /// room token as written (case kept)
    pub room: String,
    /// server pubkey, if the URL carried one
    pub pubkey: Option<[u8; 32]>,
}

impl CommunityUrl {
    /// The lower-case room token.
    pub fn canonical_room(&self) -> Result<String, CommunityError> {
        canonical_room(&self.room)
    }
}

/// Parses a URL that may lack the pubkey (and the room).
pub fn parse_partial_url(url: &str) -> Result<CommunityUrl, CommunityError> {
    let mut url = url;
    let mut pubkey = None;
    if let Some(pos) = url.rfind(QS_PUBKEY) {
        pubkey = Some(decode_pubkey(&url[pos + QS_PUBKEY.len()..])?);
        url = &url[..pos];
    }
    let mut room = String::new();
    if let Some(pos) = url.rfind("/r/") {
        room = url[pos + 3..].to_owned();
        url = &url[..pos];
    } else if let Some(pos) = url.rfind('/') {
        room = url[pos + 1..].to_owned();
        url = &url[..pos];
    }
    Ok(CommunityUrl {
        base_url: canonical_url(url)?,
        room,
        pubkey,
    })
}

/// Parses a full `base/room?public_key=…` URL; the room must be valid.
pub fn parse_full_url(url: &str) -> Result<(String, String, [u8; 32]), CommunityError> {
    let p = parse_partial_url(url)?;
    let pk = p.pubkey.ok_or(CommunityError::MissingPubkey)?;
    canonical_room(&p.room)?;
    Ok((p.base_url, p.room, pk))
}

/// `base/room?public_key=<hex>`.
pub fn full_url(base_url: &str, room: &str, pubkey: &[u8; 32]) -> String {
    format!("{base_url}/{room}{QS_PUBKEY}{}", hex::encode(pubkey))
}

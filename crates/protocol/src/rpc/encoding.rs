//! Base64 and hex helpers shared by the RPC types.
//!
//! The storage server decodes base64 leniently (oxenc): padding optional, and both the standard
//! and the URL-safe alphabet. We accept the same and always emit standard, padded base64 (what
//! Session desktop sends), except message hashes, which are unpadded by definition.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Decoder: standard alphabet, no padding, trailing bits ignored (padding is stripped first).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Errors from decoding base64 or hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    /// Not valid base64 text.
    #[error("not valid base64")]
    Base64,
    /// Not valid hex text.
    #[error("not valid hex")]
    Hex,
    /// Decoded to the wrong number of bytes.
    #[error("decodes to {found} bytes, expected {expected}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
}

/// True if `text` is base64 the storage server accepts (either alphabet, optional padding).
pub fn is_base64(text: &str) -> bool {
    decode_base64(text).is_ok()
}

/// Decodes base64 leniently: `+/` or `-_`, with or without `=` padding.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, EncodingError> {
    let unpadded = match text.find('=') {
        Some(pos) => {
            let pad = &text[pos..];
            if pad.len() > 2 || pad.bytes().any(|b| b != b'=') || !text.len().is_multiple_of(4) {
                return Err(EncodingError::Base64);
            }
            &text[..pos]
        }
        None => text,
    };
    if unpadded.len() % 4 == 1 {
        return Err(EncodingError::Base64);
    }
    if unpadded.contains(['-', '_']) {
        if unpadded.contains(['+', '/']) {
            return Err(EncodingError::Base64);
        }
        let normal: String = unpadded
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect();
        return LENIENT.decode(normal).map_err(|_| EncodingError::Base64);
    }
    LENIENT.decode(unpadded).map_err(|_| EncodingError::Base64)
}

/// Decodes base64 into exactly `N` bytes.
pub fn decode_base64_array<const N: usize>(text: &str) -> Result<[u8; N], EncodingError> {
    let bytes = decode_base64(text)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| EncodingError::Length {
        expected: N,
        found: bytes.len(),
    })
}

/// Decodes hex (either case) into exactly `N` bytes.
pub fn decode_hex_array<const N: usize>(text: &str) -> Result<[u8; N], EncodingError> {
    if text.len() != 2 * N {
        return Err(EncodingError::Length {
            expected: N,
            found: text.len() / 2,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| EncodingError::Hex)?;
    Ok(out)
}

/// Standard padded base64.
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Serde helpers for `[u8; 64]` signatures as base64 text.
pub(crate) mod sig_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(sig: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode_base64(sig))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let text = String::deserialize(d)?;
        super::decode_base64_array::<64>(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for byte payloads as base64 text.
pub(crate) mod bytes_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode_base64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        super::decode_base64(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_base64() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("aGk").unwrap(), b"hi");
        assert_eq!(decode_base64("-_8").unwrap(), decode_base64("+/8").unwrap());
        assert!(decode_base64("aGk==").is_err());
        assert!(decode_base64("a").is_err());
        assert!(decode_base64("a=b=").is_err());
        assert!(decode_base64("a+-b").is_err());
        assert_eq!(decode_base64("").unwrap(), b"");
    }
}

//! Message padding applied to the `Content` protobuf before signing and sealing
//! (PROTOCOL.md §3, desktop `BufferPadding.ts`).
//!
//! The padded length is `160·ceil((len + 2) / 160) − 1`: the plaintext, one `0x80` byte, then
//! zero bytes. The odd arithmetic is inherited from Signal and must be kept for compatibility.

/// Padding block size.
const BLOCK: usize = 160;

/// The length [`pad`] produces for a plaintext of `len` bytes.
pub fn padded_len(len: usize) -> usize {
    BLOCK * (len + 2).div_ceil(BLOCK) - 1
}

/// Pads `plaintext` to the Session message padding.
pub fn pad(plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(padded_len(plaintext.len()));
    out.extend_from_slice(plaintext);
    out.push(0x80);
    out.resize(padded_len(plaintext.len()), 0);
    out
}

/// Removes Session message padding.
///
/// Desktop-tolerant rule: trailing `0x00` bytes are skipped; if the last non-zero byte is `0x80`
/// the data ends just before it. Otherwise (some other byte, or all zero) the input is returned
/// unchanged, as the desktop lets unpadded data through.
pub fn unpad(padded: &[u8]) -> &[u8] {
    match padded.iter().rposition(|&b| b != 0) {
        Some(end) if padded.get(end) == Some(&0x80) => padded.get(..end).unwrap_or(padded),
        _ => padded,
    }
}

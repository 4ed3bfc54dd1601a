//! Strict bencode ("bt") codec, as libsession-util reads and writes it through oxenc.
//!
//! Only the canonical encoding is accepted, so that `encode(decode(x)) == x` for every accepted
//! input. That matters because config message hashes and signatures are computed over bytes:
//!
//! * integers `i<n>e`: decimal, no leading zeros, no `-0`, no empty digits, must fit in `i64`
//!   (oxenc's `consume_integer<int64_t>` refuses larger values, which is what config data uses);
//! * byte strings `<len>:<bytes>`: length without leading zeros (except `0` itself);
//! * lists `l…e`;
//! * dicts `d…e` with byte-string keys in strictly increasing byte order (an out-of-order or
//!   duplicate key is an error, as in oxenc's `bt_dict_consumer` users in libsession);
//! * nothing may follow the top-level value;
//! * nesting deeper than [`MAX_DEPTH`] is refused, so hostile input cannot exhaust the stack.
//!
//! [`decode`] builds an owned [`BtValue`] tree. [`Reader`] is the same parser exposed as a
//! zero-copy cursor for the wire layers that read a fixed shape (multipart parts, the
//! multi-encrypt "simple" dict) and want borrowed byte strings.

use std::collections::BTreeMap;

use thiserror::Error;

/// Deepest nesting of lists/dicts accepted by [`decode`]. Config messages need 6 or so levels.
pub const MAX_DEPTH: usize = 64;

/// A decoded bencode value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BtValue {
    /// `i<n>e`
    Int(i64),
    /// `<len>:<bytes>`
    Bytes(Vec<u8>),
    /// `l…e`
    List(Vec<BtValue>),
    /// `d…e`, keys byte-sorted
    Dict(BTreeMap<Vec<u8>, BtValue>),
}

impl BtValue {
    /// Convenience constructor for a byte string.
    pub fn bytes(b: impl AsRef<[u8]>) -> Self {
        BtValue::Bytes(b.as_ref().to_vec())
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            BtValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            BtValue::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The entries, if this is a dict.
    pub fn as_dict(&self) -> Option<&BTreeMap<Vec<u8>, BtValue>> {
        match self {
            BtValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[BtValue]> {
        match self {
            BtValue::List(l) => Some(l),
            _ => None,
        }
    }

    /// Canonical encoding of this value.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        encode_into(self, &mut out);
        out
    }
}

/// Why bencoded input was refused. Offsets are byte positions in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BtError {
    /// The input stops in the middle of a value.
    #[error("bencode input ends too early (at byte {0}); the message is truncated")]
    UnexpectedEnd(usize),
    /// A byte that cannot start a value (expected `i`, `l`, `d` or a digit).
    #[error("unexpected byte 0x{byte:02x} at byte {offset}; this is not bencoded data")]
    InvalidByte {
        /// position
        offset: usize,
        /// the byte found
        byte: u8,
    },
    /// Integer or length not in canonical form (leading zero, `-0`, no digits, too large).
    #[error("invalid or non-canonical number at byte {0}")]
    BadNumber(usize),
    /// Dict keys not strictly increasing, or a key that is not a byte string.
    #[error("dict keys out of order, duplicated or not strings at byte {0}")]
    BadKey(usize),
    /// Extra bytes after the top-level value.
    #[error("{0} unexpected trailing bytes after the bencoded value")]
    TrailingBytes(usize),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("bencode nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Appends the canonical encoding of `v` to `out`.
pub fn encode_into(v: &BtValue, out: &mut Vec<u8>) {
    match v {
        BtValue::Int(i) => {
            out.push(b'i');
            out.extend_from_slice(i.to_string().as_bytes());
            out.push(b'e');
        }
        BtValue::Bytes(b) => encode_bytes(b, out),
        BtValue::List(l) => {
            out.push(b'l');
            for x in l {
                encode_into(x, out);
            }
            out.push(b'e');
        }
        BtValue::Dict(d) => {
            out.push(b'd');
            for (k, x) in d {
                encode_bytes(k, out);
                encode_into(x, out);
            }
            out.push(b'e');
        }
    }
}

/// Appends `<len>:<bytes>`.
pub fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(b);
}

/// Encodes a value.
pub fn encode(v: &BtValue) -> Vec<u8> {
    v.encode()
}

/// Bytes `encode_bytes` writes for a string of `len` bytes (`<len>:` prefix included).
pub fn encoded_bytes_len(len: usize) -> usize {
    let mut digits = 1;
    let mut n = len / 10;
    while n > 0 {
        digits += 1;
        n /= 10;
    }
    digits + 1 + len
}

/// Decodes exactly one canonical bencoded value filling all of `input`.
pub fn decode(input: &[u8]) -> Result<BtValue, BtError> {
    let mut r = Reader::new(input);
    let v = r.value(0)?;
    r.finish()?;
    Ok(v)
}

/// Decodes one value at the start of `input`, returning it and the number of bytes it used.
pub fn decode_prefix(input: &[u8]) -> Result<(BtValue, usize), BtError> {
    let mut r = Reader::new(input);
    let v = r.value(0)?;
    Ok((v, r.pos))
}

/// A zero-copy cursor over bencoded input, for callers that read a known shape (a list of
/// strings, a small dict) token by token instead of decoding a whole [`BtValue`]. It applies the
/// same canonical rules as [`decode`]; errors carry offsets into the whole input.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Reader { buf: input, pos: 0 }
    }

    /// Whatever has not been read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The next byte, if any, without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn peek_some(&self) -> Result<u8, BtError> {
        self.peek().ok_or(BtError::UnexpectedEnd(self.pos))
    }

    /// Consumes `byte` (e.g. `b'l'`, `b'd'`, `b'e'`) or fails with
    /// [`BtError::InvalidByte`] / [`BtError::UnexpectedEnd`].
    pub fn expect(&mut self, byte: u8) -> Result<(), BtError> {
        match self.peek_some()? {
            b if b == byte => {
                self.pos += 1;
                Ok(())
            }
            b => Err(BtError::InvalidByte {
                offset: self.pos,
                byte: b,
            }),
        }
    }

    /// Consumes a closing `e` if it is next; `Ok(false)` if something else follows.
    pub fn at_end_marker(&mut self) -> Result<bool, BtError> {
        if self.peek_some()? == b'e' {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Fails with [`BtError::TrailingBytes`] unless the whole input has been read.
    pub fn finish(&self) -> Result<(), BtError> {
        match self.buf.len().saturating_sub(self.pos) {
            0 => Ok(()),
            n => Err(BtError::TrailingBytes(n)),
        }
    }

    /// Reads a byte string `<len>:<bytes>` without copying it. A length that is missing or not
    /// canonical is [`BtError::BadNumber`].
    pub fn bytes(&mut self) -> Result<&'a [u8], BtError> {
        let start = self.pos;
        if !self.peek_some()?.is_ascii_digit() {
            return Err(BtError::BadNumber(start));
        }
        let n = self.int_until(b':')?;
        let n = usize::try_from(n).map_err(|_| BtError::BadNumber(start))?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(BtError::UnexpectedEnd(self.buf.len()))?;
        let s = self.buf.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(s)
    }

    /// Reads `l<string>…e`, borrowing each string.
    pub fn byte_list(&mut self) -> Result<Vec<&'a [u8]>, BtError> {
        self.expect(b'l')?;
        let mut items = Vec::new();
        while !self.at_end_marker()? {
            items.push(self.bytes()?);
        }
        Ok(items)
    }

    /// Reads one complete value of any type into a [`BtValue`].
    fn value(&mut self, depth: usize) -> Result<BtValue, BtError> {
        match self.peek_some()? {
            b'i' => {
                self.pos += 1;
                let i = self.int_until(b'e')?;
                Ok(BtValue::Int(i))
            }
            b'0'..=b'9' => Ok(BtValue::Bytes(self.bytes()?.to_vec())),
            b'l' => {
                if depth >= MAX_DEPTH {
                    return Err(BtError::TooDeep);
                }
                self.pos += 1;
                let mut l = Vec::new();
                while !self.at_end_marker()? {
                    l.push(self.value(depth + 1)?);
                }
                Ok(BtValue::List(l))
            }
            b'd' => {
                if depth >= MAX_DEPTH {
                    return Err(BtError::TooDeep);
                }
                self.pos += 1;
                let mut d: BTreeMap<Vec<u8>, BtValue> = BTreeMap::new();
                while !self.at_end_marker()? {
                    let at = self.pos;
                    if !self.peek_some()?.is_ascii_digit() {
                        return Err(BtError::BadKey(at));
                    }
                    let k = self.bytes()?;
                    if d.last_key_value()
                        .is_some_and(|(last, _)| k <= last.as_slice())
                    {
                        return Err(BtError::BadKey(at));
                    }
                    let v = self.value(depth + 1)?;
                    d.insert(k.to_vec(), v);
                }
                Ok(BtValue::Dict(d))
            }
            byte => Err(BtError::InvalidByte {
                offset: self.pos,
                byte,
            }),
        }
    }

    /// Parses a canonical decimal integer terminated by `end` (consumed).
    fn int_until(&mut self, end: u8) -> Result<i64, BtError> {
        let start = self.pos;
        let rest = self.rest();
        let len = rest
            .iter()
            .position(|&b| b == end)
            .ok_or(BtError::UnexpectedEnd(self.buf.len()))?;
        let digits = rest.get(..len).unwrap_or_default();
        let (neg, body) = match digits.split_first() {
            Some((b'-', body)) => (true, body),
            _ => (false, digits),
        };
        let canonical = !body.is_empty()
            && body.iter().all(u8::is_ascii_digit)
            && (body.len() == 1 || body.first() != Some(&b'0'))
            && !(neg && body == b"0");
        if !canonical {
            return Err(BtError::BadNumber(start));
        }
        let text = std::str::from_utf8(digits).map_err(|_| BtError::BadNumber(start))?;
        let v = text.parse::<i64>().map_err(|_| BtError::BadNumber(start))?;
        self.pos += len + 1;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_strings_borrow_and_reject_bad_lengths() {
        let mut out = Vec::new();
        encode_bytes(b"abc", &mut out);
        encode_bytes(b"", &mut out);
        assert_eq!(out, b"3:abc0:");
        let mut r = Reader::new(&out);
        assert_eq!(r.bytes(), Ok(&b"abc"[..]));
        assert_eq!(r.bytes(), Ok(&b""[..]));
        assert!(r.rest().is_empty());
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(Reader::new(b"03:abc").bytes(), Err(BtError::BadNumber(0)));
        assert_eq!(Reader::new(b"-1:a").bytes(), Err(BtError::BadNumber(0)));
        assert_eq!(
            Reader::new(b"5:abc").bytes(),
            Err(BtError::UnexpectedEnd(5))
        );
        assert_eq!(
            Reader::new(b"99999999999999999999999:a").bytes(),
            Err(BtError::BadNumber(0))
        );
        assert_eq!(encoded_bytes_len(76_710), 76_716);
        assert_eq!(encoded_bytes_len(0), 2);
        assert_eq!(encoded_bytes_len(9), 11);
        assert_eq!(encoded_bytes_len(10), 13);
    }

    #[test]
    fn reader_lists_and_markers() {
        assert_eq!(
            Reader::new(b"l1:a2:bce").byte_list(),
            Ok(vec![&b"a"[..], &b"bc"[..]])
        );
        assert_eq!(
            Reader::new(b"l1:a").byte_list(),
            Err(BtError::UnexpectedEnd(4))
        );
        assert_eq!(
            Reader::new(b"li1ee").byte_list(),
            Err(BtError::BadNumber(1))
        );
        assert_eq!(
            Reader::new(b"d").byte_list(),
            Err(BtError::InvalidByte {
                offset: 0,
                byte: b'd'
            })
        );
        let mut r = Reader::new(b"ex");
        assert_eq!(r.at_end_marker(), Ok(true));
        assert_eq!(r.at_end_marker(), Ok(false));
        assert_eq!(r.finish(), Err(BtError::TrailingBytes(1)));
    }
}

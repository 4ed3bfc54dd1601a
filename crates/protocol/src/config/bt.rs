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
#[derive(Debug, Clone, PartialEq, Eq, Error)]
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

/// Decodes exactly one canonical bencoded value filling all of `input`.
pub fn decode(input: &[u8]) -> Result<BtValue, BtError> {
    let mut p = Parser { buf: input, pos: 0 };
    let v = p.value(0)?;
    if p.pos != input.len() {
        return Err(BtError::TrailingBytes(input.len() - p.pos));
    }
    Ok(v)
}

/// Decodes one value at the start of `input`, returning it and the number of bytes it used.
pub fn decode_prefix(input: &[u8]) -> Result<(BtValue, usize), BtError> {
    let mut p = Parser { buf: input, pos: 0 };
    let v = p.value(0)?;
    Ok((v, p.pos))
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Result<u8, BtError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or(BtError::UnexpectedEnd(self.pos))
    }

    fn value(&mut self, depth: usize) -> Result<BtValue, BtError> {
        match self.peek()? {
            b'i' => {
                self.pos += 1;
                let i = self.int_until(b'e')?;
                Ok(BtValue::Int(i))
            }
            b'0'..=b'9' => Ok(BtValue::Bytes(self.string()?)),
            b'l' => {
                if depth >= MAX_DEPTH {
                    return Err(BtError::TooDeep);
                }
                self.pos += 1;
                let mut l = Vec::new();
                while self.peek()? != b'e' {
                    l.push(self.value(depth + 1)?);
                }
                self.pos += 1;
                Ok(BtValue::List(l))
            }
            b'd' => {
                if depth >= MAX_DEPTH {
                    return Err(BtError::TooDeep);
                }
                self.pos += 1;
                let mut d: BTreeMap<Vec<u8>, BtValue> = BTreeMap::new();
                while self.peek()? != b'e' {
                    let at = self.pos;
                    if !self.peek()?.is_ascii_digit() {
                        return Err(BtError::BadKey(at));
                    }
                    let k = self.string()?;
                    if let Some((last, _)) = d.last_key_value() {
                        if k <= *last {
                            return Err(BtError::BadKey(at));
                        }
                    }
                    let v = self.value(depth + 1)?;
                    d.insert(k, v);
                }
                self.pos += 1;
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
        let rest = &self.buf[self.pos..];
        let len = rest
            .iter()
            .position(|&b| b == end)
            .ok_or(BtError::UnexpectedEnd(self.buf.len()))?;
        let digits = &rest[..len];
        let (neg, body) = match digits.split_first() {
            Some((b'-', body)) => (true, body),
            _ => (false, digits),
        };
        let canonical = !body.is_empty()
            && body.iter().all(u8::is_ascii_digit)
            && (body.len() == 1 || body[0] != b'0')
            && !(neg && body == b"0");
        if !canonical {
            return Err(BtError::BadNumber(start));
        }
        let text = std::str::from_utf8(digits).map_err(|_| BtError::BadNumber(start))?;
        let v = text.parse::<i64>().map_err(|_| BtError::BadNumber(start))?;
        self.pos += len + 1;
        Ok(v)
    }

    fn string(&mut self) -> Result<Vec<u8>, BtError> {
        let start = self.pos;
        let n = self.int_until(b':')?;
        let n = usize::try_from(n).map_err(|_| BtError::BadNumber(start))?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(BtError::UnexpectedEnd(self.buf.len()))?;
        let s = self.buf[self.pos..end].to_vec();
        self.pos = end;
        Ok(s)
    }
}

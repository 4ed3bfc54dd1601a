//! The little bencode this crate's wire layers need: byte strings, lists of byte strings and a
//! flat dict of those (multipart parts, multi-encrypt "simple" encoding). The general codec for
//! config messages lives elsewhere; this one only reads what it writes, strictly.

/// Appends `<len>:<bytes>`.
pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(bytes);
}

/// Length of the `<len>:` prefix of a string of `len` bytes.
pub(crate) fn prefix_len(len: usize) -> usize {
    len.to_string().len() + 1
}

/// Why bencoded input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BtError {
    /// Input ended too early.
    Truncated,
    /// Something other than the expected token.
    Unexpected,
    /// A length with a leading zero, a sign, or too many digits.
    BadLength,
}

/// A cursor over bencoded bytes.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    /// Whatever has not been read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Consumes `byte` or fails.
    pub(crate) fn expect(&mut self, byte: u8) -> Result<(), BtError> {
        match self.rest.split_first() {
            Some((&b, tail)) if b == byte => {
                self.rest = tail;
                Ok(())
            }
            Some(_) => Err(BtError::Unexpected),
            None => Err(BtError::Truncated),
        }
    }

    /// Reads `<len>:<bytes>`; the length must be canonical (no leading zero).
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], BtError> {
        let colon = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        match self.rest.get(colon) {
            _ if colon > 20 => return Err(BtError::BadLength),
            None => return Err(BtError::Truncated),
            Some(b':') if colon > 0 => {}
            Some(_) => return Err(BtError::BadLength),
        }
        let digits = self.rest.get(..colon).ok_or(BtError::Truncated)?;
        if digits.len() > 1 && digits.first() == Some(&b'0') {
            return Err(BtError::BadLength);
        }
        let len: usize = std::str::from_utf8(digits)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(BtError::BadLength)?;
        let start = colon + 1;
        let end = start.checked_add(len).ok_or(BtError::BadLength)?;
        let value = self.rest.get(start..end).ok_or(BtError::Truncated)?;
        self.rest = self.rest.get(end..).ok_or(BtError::Truncated)?;
        Ok(value)
    }

    /// Reads `l<string>*e`.
    pub(crate) fn byte_list(&mut self) -> Result<Vec<&'a [u8]>, BtError> {
        self.expect(b'l')?;
        let mut items = Vec::new();
        loop {
            match self.peek() {
                Some(b'e') => {
                    self.expect(b'e')?;
                    return Ok(items);
                }
                Some(_) => items.push(self.bytes()?),
                None => return Err(BtError::Truncated),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_reject_bad_lengths() {
        let mut out = Vec::new();
        put_bytes(&mut out, b"abc");
        put_bytes(&mut out, b"");
        assert_eq!(out, b"3:abc0:");
        let mut r = Reader::new(&out);
        assert_eq!(r.bytes(), Ok(&b"abc"[..]));
        assert_eq!(r.bytes(), Ok(&b""[..]));
        assert!(r.rest().is_empty());
        assert_eq!(Reader::new(b"03:abc").bytes(), Err(BtError::BadLength));
        assert_eq!(Reader::new(b"-1:a").bytes(), Err(BtError::BadLength));
        assert_eq!(Reader::new(b"5:abc").bytes(), Err(BtError::Truncated));
        assert_eq!(
            Reader::new(b"99999999999999999999999:a").bytes(),
            Err(BtError::BadLength)
        );
        assert_eq!(prefix_len(76_710), 6);
    }

    #[test]
    fn lists() {
        assert_eq!(
            Reader::new(b"l1:a2:bce").byte_list(),
            Ok(vec![&b"a"[..], &b"bc"[..]])
        );
        assert_eq!(Reader::new(b"l1:a").byte_list(), Err(BtError::Truncated));
        assert_eq!(Reader::new(b"li1ee").byte_list(), Err(BtError::BadLength));
    }
}

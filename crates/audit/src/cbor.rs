//! Deterministic CBOR (RFC 8949 §4.2.1), the subset audit events use: unsigned and negative
//! integers, byte and text strings, arrays, maps, booleans and null.
//!
//! Encoding is canonical by construction (shortest heads, definite lengths, map keys sorted by
//! their encoded bytes). Decoding accepts only canonical input, so one value has exactly one
//! byte string and a stored body can be checked by decoding and re-encoding it.

use std::cmp::Ordering;

/// How deep arrays and maps may nest; events use three levels.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Unsigned(u64),
    /// The integer `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    /// Entries in any order; encoding sorts them.
    Map(Vec<(Value, Value)>),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    #[error("input ends inside a value at byte {0}")]
    Truncated(usize),
    #[error("{0} bytes follow the value")]
    Trailing(usize),
    #[error("not canonical at byte {at}: {what}")]
    NotCanonical { at: usize, what: &'static str },
    #[error("unsupported item at byte {at}: {what}")]
    Unsupported { at: usize, what: &'static str },
    #[error("byte {at}: expected {wanted}")]
    Unexpected { at: usize, wanted: &'static str },
}

impl Value {
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(s.into())
    }

    /// Encodes canonically.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Value::Unsigned(n) => head(out, 0, *n),
            Value::Negative(n) => head(out, 1, *n),
            Value::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Value::Text(s) => {
                head(out, 3, s.len() as u64);
                out.extend_from_slice(s.as_bytes());
            }
            Value::Array(items) => {
                head(out, 4, items.len() as u64);
                items.iter().for_each(|v| v.write(out));
            }
            Value::Map(entries) => {
                head(out, 5, entries.len() as u64);
                let mut encoded: Vec<(Vec<u8>, &Value)> = entries.iter().map(|(k, v)| (k.encode(), v)).collect();
                encoded.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, value) in encoded {
                    out.extend_from_slice(&key);
                    value.write(out);
                }
            }
            Value::Bool(false) => out.push(0xf4),
            Value::Bool(true) => out.push(0xf5),
            Value::Null => out.push(0xf6),
        }
    }

    /// Decodes one canonical value that fills `bytes` exactly.
    pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
        let mut reader = Reader { bytes, at: 0 };
        let value = reader.value(0)?;
        match bytes.len() - reader.at {
            0 => Ok(value),
            n => Err(CborError::Trailing(n)),
        }
    }

    /// The entry under an unsigned integer key, in a map.
    pub fn get(&self, key: u64) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| *k == Value::Unsigned(key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The shortest head for major type `major` and argument `n`.
fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// The last key read in a map, to check the next sorts after it: an unsigned key by value,
/// any other by the span of its encoding.
#[derive(Debug, Clone, Copy)]
pub enum MapKey {
    Unsigned(u64),
    Other(usize, usize),
}

#[derive(Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Reads canonical CBOR in place, one item at a time, copying nothing: how events are decoded
/// (the same checks as [`Value::decode`], without building a tree of values).
#[derive(Debug)]
pub struct Cursor<'a>(Reader<'a>);

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Cursor(Reader { bytes, at: 0 })
    }

    fn expect(&mut self, major: u8, wanted: &'static str) -> Result<(u64, usize), CborError> {
        let at = self.0.at;
        if self.0.bytes.get(at).is_some_and(|b| b >> 5 != major) {
            return Err(CborError::Unexpected { at, wanted });
        }
        let (_, n, start) = self.0.head()?;
        Ok((n, start))
    }

    pub fn uint(&mut self) -> Result<u64, CborError> {
        Ok(self.expect(0, "an unsigned integer")?.0)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], CborError> {
        let (n, start) = self.expect(2, "a byte string")?;
        let len = self.0.length(n, start)?;
        self.0.take(len)
    }

    pub fn text(&mut self) -> Result<&'a str, CborError> {
        let (n, start) = self.expect(3, "a text string")?;
        self.0.text_of(n, start)
    }

    /// An array's length.
    pub fn array(&mut self) -> Result<usize, CborError> {
        let (n, start) = self.expect(4, "an array")?;
        self.0.length(n, start)
    }

    /// A map's number of entries; read each with [`Cursor::key`] and then its value.
    pub fn map(&mut self) -> Result<usize, CborError> {
        let (n, start) = self.expect(5, "a map")?;
        Ok(self.0.length(n.saturating_mul(2), start)? / 2)
    }

    /// The next key of a map, which must sort after `previous` (keep one per map, starting at
    /// `None`): an unsigned key as `Some`, any other checked and stepped over as `None`.
    pub fn key(&mut self, previous: &mut Option<MapKey>) -> Result<Option<u64>, CborError> {
        self.0.key_after(previous, 0)
    }

    /// Checks and steps over the next value, whatever it is.
    pub fn skip(&mut self) -> Result<(), CborError> {
        self.0.skip(1)
    }

    /// Nothing may follow the value.
    pub fn finish(self) -> Result<(), CborError> {
        match self.0.bytes.len() - self.0.at {
            0 => Ok(()),
            n => Err(CborError::Trailing(n)),
        }
    }
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(CborError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// Reads a head; refuses indefinite lengths and longer-than-needed arguments.
    fn head(&mut self) -> Result<(u8, u64, usize), CborError> {
        let start = self.at;
        let first = *self.bytes.get(start).ok_or(CborError::Truncated(start))?;
        self.at += 1;
        let (major, info) = (first >> 5, first & 0x1f);
        // Most heads of an event are this one byte.
        if info < 24 {
            return Ok((major, u64::from(info), start));
        }
        let not_shortest = CborError::NotCanonical { at: start, what: "integer or length not in its shortest form" };
        let n = match info {
            24 => {
                let n = u64::from(self.take(1)?[0]);
                if n < 24 {
                    return Err(not_shortest);
                }
                n
            }
            25 => {
                let n = u64::from(u16::from_be_bytes([self.take(1)?[0], self.take(1)?[0]]));
                if n <= 0xff {
                    return Err(not_shortest);
                }
                n
            }
            26 => {
                let b = self.take(4)?;
                let n = u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                if n <= 0xffff {
                    return Err(not_shortest);
                }
                n
            }
            27 => {
                let b = self.take(8)?;
                let n = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                if n <= 0xffff_ffff {
                    return Err(not_shortest);
                }
                n
            }
            31 => return Err(CborError::NotCanonical { at: start, what: "indefinite length" }),
            _ => return Err(CborError::Unsupported { at: start, what: "reserved additional information" }),
        };
        Ok((major, n, start))
    }

    fn length(&self, n: u64, start: usize) -> Result<usize, CborError> {
        usize::try_from(n).ok().filter(|&n| n <= self.bytes.len() - self.at).ok_or(CborError::Truncated(start))
    }

    /// Checks one value (and everything in it) is canonical, and steps over it.
    fn skip(&mut self, depth: usize) -> Result<(), CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::Unsupported { at: self.at, what: "nesting too deep" });
        }
        let (major, n, start) = self.head()?;
        match major {
            0 | 1 => {}
            2 => {
                let len = self.length(n, start)?;
                self.take(len)?;
            }
            3 => {
                self.text_of(n, start)?;
            }
            4 => {
                for _ in 0..self.length(n, start)? {
                    self.skip(depth + 1)?;
                }
            }
            5 => {
                let len = self.length(n.saturating_mul(2), start)? / 2;
                let mut previous = None;
                for _ in 0..len {
                    self.key_after(&mut previous, depth)?;
                    self.skip(depth + 1)?;
                }
            }
            6 => return Err(CborError::Unsupported { at: start, what: "tag" }),
            _ => {
                if !matches!(self.bytes[start] & 0x1f, 20..=22) {
                    return Err(CborError::Unsupported { at: start, what: "float or simple value" });
                }
            }
        }
        Ok(())
    }

    fn text_of(&mut self, n: u64, start: usize) -> Result<&'a str, CborError> {
        let len = self.length(n, start)?;
        let raw = self.take(len)?;
        std::str::from_utf8(raw).map_err(|_| CborError::Unsupported { at: start, what: "text that is not UTF-8" })
    }

    /// Steps over a map key that must sort after `previous` (which it becomes); an unsigned
    /// key is returned.
    fn key_after(&mut self, previous: &mut Option<MapKey>, depth: usize) -> Result<Option<u64>, CborError> {
        let start = self.at;
        let key = if self.bytes.get(start).is_some_and(|b| b >> 5 == 0) {
            MapKey::Unsigned(self.head()?.1)
        } else {
            self.skip(depth + 1)?;
            MapKey::Other(start, self.at)
        };
        let in_order = match (*previous, key) {
            (None, _) => true,
            // Shortest heads make bytewise order the numeric order; every other kind of key
            // starts with a higher byte than any unsigned one.
            (Some(MapKey::Unsigned(a)), MapKey::Unsigned(b)) => a < b,
            (Some(MapKey::Unsigned(_)), MapKey::Other(..)) => true,
            (Some(MapKey::Other(..)), MapKey::Unsigned(_)) => false,
            (Some(MapKey::Other(a, b)), MapKey::Other(c, d)) => {
                self.bytes[a..b].cmp(&self.bytes[c..d]) == Ordering::Less
            }
        };
        if !in_order {
            return Err(CborError::NotCanonical { at: start, what: "map keys out of order or repeated" });
        }
        *previous = Some(key);
        Ok(match key {
            MapKey::Unsigned(n) => Some(n),
            MapKey::Other(..) => None,
        })
    }

    fn value(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::Unsupported { at: self.at, what: "nesting too deep" });
        }
        let (major, n, start) = self.head()?;
        Ok(match major {
            0 => Value::Unsigned(n),
            1 => Value::Negative(n),
            2 => {
                let len = self.length(n, start)?;
                Value::Bytes(self.take(len)?.to_vec())
            }
            3 => Value::Text(self.text_of(n, start)?.to_owned()),
            4 => {
                let len = self.length(n, start)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            5 => {
                // Each entry takes at least two bytes.
                let len = self.length(n.saturating_mul(2), start)? / 2;
                let mut entries = Vec::with_capacity(len);
                let mut previous: Option<(usize, usize)> = None;
                for _ in 0..len {
                    let key_start = self.at;
                    let key = self.value(depth + 1)?;
                    let key_bytes = (key_start, self.at);
                    if let Some((a, b)) = previous
                        && self.bytes[a..b].cmp(&self.bytes[key_bytes.0..key_bytes.1]) != Ordering::Less
                    {
                        return Err(CborError::NotCanonical {
                            at: key_start,
                            what: "map keys out of order or repeated",
                        });
                    }
                    previous = Some(key_bytes);
                    entries.push((key, self.value(depth + 1)?));
                }
                Value::Map(entries)
            }
            6 => return Err(CborError::Unsupported { at: start, what: "tag" }),
            _ => match (self.bytes[start] & 0x1f, n) {
                (20, _) => Value::Bool(false),
                (21, _) => Value::Bool(true),
                (22, _) => Value::Null,
                _ => return Err(CborError::Unsupported { at: start, what: "float or simple value" }),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_default()).collect()
    }

    /// RFC 8949 Appendix A examples that fall in the subset.
    #[test]
    fn rfc_8949_examples_round_trip() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::Unsigned(0), "00"),
            (Value::Unsigned(23), "17"),
            (Value::Unsigned(24), "1818"),
            (Value::Unsigned(100), "1864"),
            (Value::Unsigned(1000), "1903e8"),
            (Value::Unsigned(1_000_000), "1a000f4240"),
            (Value::Unsigned(1_000_000_000_000), "1b000000e8d4a51000"),
            (Value::Unsigned(u64::MAX), "1bffffffffffffffff"),
            (Value::Negative(0), "20"),
            (Value::Negative(999), "3903e7"),
            (Value::Bytes(vec![1, 2, 3, 4]), "4401020304"),
            (Value::text("IETF"), "6449455446"),
            (Value::text("\u{00fc}"), "62c3bc"),
            (Value::Bool(false), "f4"),
            (Value::Bool(true), "f5"),
            (Value::Null, "f6"),
            (
                Value::Array(vec![
                    Value::Unsigned(1),
                    Value::Array(vec![Value::Unsigned(2), Value::Unsigned(3)]),
                    Value::Array(vec![Value::Unsigned(4), Value::Unsigned(5)]),
                ]),
                "8301820203820405",
            ),
            (
                Value::Map(vec![(Value::Unsigned(1), Value::Unsigned(2)), (Value::Unsigned(3), Value::Unsigned(4))]),
                "a201020304",
            ),
            (
                Value::Map(vec![
                    (Value::text("a"), Value::Unsigned(1)),
                    (Value::text("b"), Value::Array(vec![Value::Unsigned(2), Value::Unsigned(3)])),
                ]),
                "a26161016162820203",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(value.encode(), hex(expected), "{value:?}");
            assert_eq!(Value::decode(&hex(expected)), Ok(value), "{expected}");
        }
    }

    #[test]
    fn map_keys_are_sorted_by_their_encoding() {
        // Shorter encodings first: 10 (0x0a) before 100 (0x1864) before "a".
        let map = Value::Map(vec![
            (Value::text("a"), Value::Null),
            (Value::Unsigned(100), Value::Null),
            (Value::Unsigned(10), Value::Null),
        ]);
        assert_eq!(map.encode(), hex("a30af61864f66161f6"));
    }

    #[test]
    fn non_canonical_input_is_refused() {
        for (bad, why) in [
            ("1817", "24 with a one-byte argument"),
            ("190017", "23 with a two-byte argument"),
            ("1a0000ffff", "65535 with a four-byte argument"),
            ("5f4101ff", "indefinite byte string"),
            ("9f01ff", "indefinite array"),
            ("a203040102", "keys out of order"),
            ("a201020102", "repeated key"),
            ("0000", "trailing bytes"),
            ("64494554", "truncated text"),
            ("f93c00", "half float"),
            ("c11a514b67b0", "tag"),
            ("62c328", "invalid UTF-8"),
            ("9b00000000ffffffff", "absurd length"),
        ] {
            assert!(Value::decode(&hex(bad)).is_err(), "accepted {why}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let bytes = vec![0x81; 100_000];
        assert!(Value::decode(&bytes).is_err());
    }
}

//! Lower-case hexadecimal, the text form of keys, ids and wrapped keys in files and tables.

pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

fn byte(pair: &[u8]) -> Option<u8> {
    let digit = |c: &u8| char::from(*c).to_digit(16);
    u8::try_from(digit(pair.first()?)? * 16 + digit(pair.get(1)?)?).ok()
}

/// Hex digits in either case, an even number of them; anything else is `None`.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    text.as_bytes().chunks(2).map(byte).collect()
}

/// Exactly `N` bytes of hex, surrounding white space ignored. Decoded in place, with no
/// intermediate buffer, because keys pass through here.
pub fn decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(text.chunks(2)) {
        *slot = byte(pair)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_is_not_hex() {
        let bytes = [0x00, 0x7f, 0xa5, 0xff];
        assert_eq!(encode(&bytes), "007fa5ff");
        assert_eq!(decode("007FA5ff"), Some(bytes.to_vec()));
        assert_eq!(decode_array::<4>(" 007fa5ff\n"), Some(bytes));
        for bad in ["0", "0g", "+1", "é1"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode_array::<3>("007fa5ff"), None);
    }
}

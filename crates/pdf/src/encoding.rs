//! Text in the writer's fonts is encoded as Windows-1252 (PDF's WinAnsiEncoding): the Latin
//! letters, punctuation and symbols that consent forms and statements use. Characters outside
//! it print as "?", never as a missing glyph or a broken file.

/// The first code a font dictionary lists a width for (the space).
pub(crate) const FIRST_CODE: u8 = 32;

/// The characters Windows-1252 puts at 0x80–0x9F; `None` where it has none.
const HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The character a code stands for, if any.
pub(crate) fn to_unicode(code: u8) -> Option<char> {
    match code {
        0x20..=0x7E | 0xA0..=0xFF => Some(char::from(code)),
        0x80..=0x9F => HIGH[usize::from(code - 0x80)],
        _ => None,
    }
}

/// A character's code, "?" for what the encoding lacks. Tabs and other spaces become spaces.
pub(crate) fn encode(c: char) -> u8 {
    match c {
        ' '..='~' | '\u{A0}'..='ÿ' => c as u8,
        c if c.is_whitespace() => b' ',
        c => HIGH.iter().position(|&h| h == Some(c)).map_or(b'?', |i| 0x80 + i as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_the_rest_is_a_question_mark() {
        for code in (FIRST_CODE..=255).filter(|&c| c != 0x7F) {
            if let Some(c) = to_unicode(code) {
                assert_eq!(encode(c), code, "{c}");
            }
        }
        assert_eq!(encode('—'), 0x97);
        assert_eq!(encode('é'), 0xE9);
        assert_eq!(encode('≥'), b'?');
        assert_eq!(encode('\t'), b' ');
    }
}

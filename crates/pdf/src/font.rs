//! The metrics a PDF font dictionary must repeat from the embedded TrueType program: advance
//! widths of the Windows-1252 codes, the bounding box, ascent and descent. Read from the font
//! itself so that they always agree with it (PDF/A checks that they do).

use crate::encoding::FIRST_CODE;
use crate::encoding::to_unicode;

/// An embedded font and the figures its dictionary states, in PDF glyph space (1000 per em).
#[derive(Debug)]
pub(crate) struct Font {
    pub(crate) name: &'static str,
    pub(crate) program: &'static [u8],
    pub(crate) bbox: [i32; 4],
    pub(crate) ascent: i32,
    pub(crate) descent: i32,
    pub(crate) stem_v: i32,
    /// Widths of the codes `FIRST_CODE..=255`.
    pub(crate) widths: Vec<i32>,
}

pub(crate) static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Why a font program could not be read (only a broken build could embed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(#[allow(dead_code)] &'static str);

impl Font {
    pub(crate) fn load(name: &'static str, program: &'static [u8], stem_v: i32) -> Result<Font, Malformed> {
        let tables = Tables(program);
        let head = tables.find(b"head")?;
        let hhea = tables.find(b"hhea")?;
        let units = f64::from(u16_at(head, 18)?);
        let scale = |v: i32| (f64::from(v) * 1000.0 / units).round() as i32;
        let bbox = [36, 38, 40, 42].map(|at| i16_at(head, at).map(|v| scale(v.into())));
        let metrics = Metrics { hmtx: tables.find(b"hmtx")?, count: usize::from(u16_at(hhea, 34)?) };
        let cmap = Cmap::windows_unicode(tables.find(b"cmap")?)?;
        let widths = (FIRST_CODE..=255u8)
            .map(|code| {
                let glyph = to_unicode(code).map_or(Ok(0), |c| cmap.glyph(c))?;
                metrics.advance(glyph).map(|w| scale(w.into()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Font {
            name,
            program,
            bbox: [bbox[0]?, bbox[1]?, bbox[2]?, bbox[3]?],
            ascent: scale(i16_at(hhea, 4)?.into()),
            descent: scale(i16_at(hhea, 6)?.into()),
            stem_v,
            widths,
        })
    }

    /// The width of an encoded code, in glyph space.
    pub(crate) fn width(&self, code: u8) -> i32 {
        code.checked_sub(FIRST_CODE).and_then(|i| self.widths.get(usize::from(i))).copied().unwrap_or(0)
    }
}

fn slice(data: &[u8], at: usize, len: usize) -> Result<&[u8], Malformed> {
    data.get(at..at + len).ok_or(Malformed("a table reaches past the end of the font"))
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, Malformed> {
    slice(data, at, 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn i16_at(data: &[u8], at: usize) -> Result<i16, Malformed> {
    u16_at(data, at).map(|v| v as i16)
}

fn u32_at(data: &[u8], at: usize) -> Result<usize, Malformed> {
    slice(data, at, 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The table directory of a TrueType file.
struct Tables<'a>(&'a [u8]);

impl<'a> Tables<'a> {
    fn find(&self, tag: &[u8; 4]) -> Result<&'a [u8], Malformed> {
        let count = usize::from(u16_at(self.0, 4)?);
        for i in 0..count {
            let record = 12 + 16 * i;
            if slice(self.0, record, 4)? == tag {
                return slice(self.0, u32_at(self.0, record + 8)?, u32_at(self.0, record + 12)?);
            }
        }
        Err(Malformed("a required table is missing"))
    }
}

/// Horizontal metrics: glyphs past the last full entry share its advance.
struct Metrics<'a> {
    hmtx: &'a [u8],
    count: usize,
}

impl Metrics<'_> {
    fn advance(&self, glyph: u16) -> Result<u16, Malformed> {
        let index = usize::from(glyph).min(self.count.saturating_sub(1));
        u16_at(self.hmtx, 4 * index)
    }
}

/// A format-4 character map (Windows, Unicode BMP).
struct Cmap<'a> {
    table: &'a [u8],
    segments: usize,
}

impl<'a> Cmap<'a> {
    fn windows_unicode(cmap: &'a [u8]) -> Result<Cmap<'a>, Malformed> {
        for i in 0..usize::from(u16_at(cmap, 2)?) {
            let record = 4 + 8 * i;
            if (u16_at(cmap, record)?, u16_at(cmap, record + 2)?) == (3, 1) {
                let table = cmap.get(u32_at(cmap, record + 4)?..).ok_or(Malformed("cmap offset"))?;
                if u16_at(table, 0)? != 4 {
                    return Err(Malformed("the Unicode cmap is not format 4"));
                }
                return Ok(Cmap { table, segments: usize::from(u16_at(table, 6)? / 2) });
            }
        }
        Err(Malformed("no Windows Unicode cmap"))
    }

    fn glyph(&self, c: char) -> Result<u16, Malformed> {
        let Ok(c) = u16::try_from(u32::from(c)) else { return Ok(0) };
        let n = self.segments;
        let (ends, starts, deltas, ranges) = (14, 16 + 2 * n, 16 + 4 * n, 16 + 6 * n);
        for i in 0..n {
            if u16_at(self.table, ends + 2 * i)? < c {
                continue;
            }
            let start = u16_at(self.table, starts + 2 * i)?;
            if start > c {
                return Ok(0);
            }
            let delta = u16_at(self.table, deltas + 2 * i)?;
            let range = usize::from(u16_at(self.table, ranges + 2 * i)?);
            if range == 0 {
                return Ok(c.wrapping_add(delta));
            }
            let at = ranges + 2 * i + range + 2 * usize::from(c - start);
            let glyph = u16_at(self.table, at)?;
            return Ok(if glyph == 0 { 0 } else { glyph.wrapping_add(delta) });
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_box_come_from_the_font() {
        let font = Font::load("DejaVuSans", REGULAR, 80).expect("the embedded font reads");
        // DejaVu Sans: 2048 units per em; "A" advances 1401 units, the space 651.
        assert_eq!(font.width(b'A'), 684);
        assert_eq!(font.width(b' '), 318);
        assert_eq!(font.bbox, [-1021, -463, 1793, 1232]);
        assert_eq!((font.ascent, font.descent), (928, -236));
        let bold = Font::load("DejaVuSans-Bold", BOLD, 140).expect("the bold font reads");
        assert!(bold.width(b'A') > font.width(b'A'));
    }

    #[test]
    fn a_truncated_font_is_refused() {
        let program: &'static [u8] = &REGULAR[..200];
        assert!(Font::load("DejaVuSans", program, 80).is_err());
    }
}

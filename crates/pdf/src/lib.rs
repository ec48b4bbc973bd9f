//! PDF/A-2b documents from Haven's own records: signed consent copies, statements, notes.
//!
//! The writer lays out headings, wrapped paragraphs, labelled fields and drawn marks on US
//! Letter pages in embedded fonts (DejaVu Sans), and writes a file that keeps to PDF/A-2b:
//! every font embedded with widths read from the font itself, XMP metadata that says which
//! part and level it claims, a file identifier, no encryption, no colour spaces that would
//! need an output intent, nothing executable. It depends on nothing but `sha2`.

mod encoding;
mod file;
mod font;

use encoding::encode;
use font::{BOLD, Font, REGULAR};

const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 64.0;
/// Text stops above the footer line.
const BOTTOM: f32 = MARGIN + 20.0;
const BODY_SIZE: f32 = 10.5;
const HEADING_SIZE: f32 = 15.0;
const FOOTER_SIZE: f32 = 8.5;
const LEADING: f32 = 1.4;
/// The box a drawn mark is scaled into.
const MARK_WIDTH: f32 = 260.0;
const MARK_HEIGHT: f32 = 80.0;

/// Which of the two embedded faces a run of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn resource(self) -> &'static str {
        match self {
            Face::Regular => "/F1",
            Face::Bold => "/F2",
        }
    }
}

/// A drawn mark: strokes of points, each coordinate from 0 to 1 across and down its box.
pub type Strokes = [Vec<(f32, f32)>];

/// A document being laid out, page by page.
#[derive(Debug)]
pub struct Document {
    title: String,
    regular: Font,
    bold: Font,
    pages: Vec<Vec<u8>>,
    page: Vec<u8>,
    /// The baseline the next line of text sits above.
    y: f32,
}

impl Document {
    /// A document whose metadata and page footers carry `title` (keep identifiers out of it:
    /// a file's title shows in lists that the file's pages do not).
    pub fn new(title: &str) -> Document {
        // The fonts are part of the build and checked by this crate's tests.
        #[allow(clippy::expect_used)]
        let load = |name, program, stem| Font::load(name, program, stem).expect("the embedded fonts are well formed");
        Document {
            title: title.to_owned(),
            regular: load("DejaVuSans", REGULAR, 80),
            bold: load("DejaVuSans-Bold", BOLD, 140),
            pages: Vec::new(),
            page: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    pub fn heading(&mut self, text: &str) {
        self.space(6.0);
        self.lines(text, Face::Bold, HEADING_SIZE);
        self.space(4.0);
    }

    /// Text wrapped to the page; a line break starts a new line, an empty line a new paragraph.
    pub fn paragraph(&mut self, text: &str) {
        for line in text.lines() {
            if line.trim().is_empty() {
                self.space(BODY_SIZE * 0.6);
            } else {
                self.lines(line, Face::Regular, BODY_SIZE);
            }
        }
        self.space(BODY_SIZE * 0.6);
    }

    /// A bold label and its value on the lines below it.
    pub fn field(&mut self, label: &str, value: &str) {
        self.lines(label, Face::Bold, BODY_SIZE);
        self.lines(value, Face::Regular, BODY_SIZE);
        self.space(BODY_SIZE * 0.4);
    }

    /// A drawn mark in a box with a line under it, as a signature is drawn on paper.
    pub fn mark(&mut self, strokes: &Strokes) {
        if self.y - MARK_HEIGHT - 8.0 < BOTTOM {
            self.new_page();
        }
        let top = self.y;
        let bottom = top - MARK_HEIGHT;
        let mut path = format!(
            "q 1 J 1 j 1.4 w\n{MARGIN:.2} {:.2} m {:.2} {:.2} l S\n",
            bottom - 2.0,
            MARGIN + MARK_WIDTH,
            bottom - 2.0
        );
        for stroke in strokes {
            let at =
                |&(x, y): &(f32, f32)| (MARGIN + x.clamp(0.0, 1.0) * MARK_WIDTH, top - y.clamp(0.0, 1.0) * MARK_HEIGHT);
            let Some(first) = stroke.first().map(at) else { continue };
            path.push_str(&format!("{:.2} {:.2} m", first.0, first.1));
            if stroke.len() == 1 {
                path.push_str(&format!(" {:.2} {:.2} l", first.0 + 0.5, first.1));
            }
            for (x, y) in stroke.iter().skip(1).map(at) {
                path.push_str(&format!(" {x:.2} {y:.2} l"));
            }
            path.push_str(" S\n");
        }
        path.push_str("Q\n");
        self.page.extend_from_slice(path.as_bytes());
        self.y = bottom - 14.0;
    }

    /// The finished file. `created` is the creation time in ISO 8601 (UTC), for the metadata.
    pub fn finish(mut self, created: &str) -> Vec<u8> {
        if !self.page.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        let count = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (i, page) in pages.iter_mut().enumerate() {
            let footer = format!("{} \u{2014} page {} of {count}", self.title, i + 1);
            page.extend(self.text_at(&footer, Face::Regular, FOOTER_SIZE, MARGIN, MARGIN - 20.0));
        }
        file::write(&self.title, created, [&self.regular, &self.bold], &pages)
    }

    fn font(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    fn space(&mut self, points: f32) {
        self.y -= points;
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.page));
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Sets `text` in lines no wider than the text column, starting new pages as needed.
    fn lines(&mut self, text: &str, face: Face, size: f32) {
        let codes: Vec<u8> = text.trim_end().chars().map(encode).collect();
        for line in wrap(&codes, |c| self.font(face).width(c) as f32 * size / 1000.0, PAGE_WIDTH - 2.0 * MARGIN) {
            if self.y - size * LEADING < BOTTOM {
                self.new_page();
            }
            self.y -= size * LEADING;
            let placed = self.text_at_codes(line, face, size, MARGIN, self.y);
            self.page.extend(placed);
        }
    }

    fn text_at(&self, text: &str, face: Face, size: f32, x: f32, y: f32) -> Vec<u8> {
        let codes: Vec<u8> = text.chars().map(encode).collect();
        self.text_at_codes(&codes, face, size, x, y)
    }

    fn text_at_codes(&self, codes: &[u8], face: Face, size: f32, x: f32, y: f32) -> Vec<u8> {
        let mut out = format!("BT {} {size} Tf {x:.2} {y:.2} Td (", face.resource()).into_bytes();
        for &code in codes {
            if matches!(code, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(code);
        }
        out.extend_from_slice(b") Tj ET\n");
        out
    }
}

/// Greedy line breaking at spaces; a word wider than the line is broken where it must be.
fn wrap(codes: &[u8], width_of: impl Fn(u8) -> f32, max: f32) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < codes.len() {
        let mut width = 0.0;
        let mut end = start;
        let mut last_space = None;
        while end < codes.len() && width + width_of(codes[end]) <= max {
            width += width_of(codes[end]);
            if codes[end] == b' ' {
                last_space = Some(end);
            }
            end += 1;
        }
        if end < codes.len() && codes[end] != b' ' {
            // Break at the last space on the line if there is one; otherwise mid-word.
            if let Some(space) = last_space.filter(|&s| s > start) {
                end = space;
            }
            end = end.max(start + 1);
        }
        lines.push(&codes[start..end]);
        start = end;
        while start < codes.len() && codes[start] == b' ' {
            start += 1;
        }
    }
    if lines.is_empty() {
        lines.push(&codes[..0]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_and_long_words_where_they_must() {
        let unit = |_| 1.0;
        assert_eq!(wrap(b"aa bb cc", unit, 5.0), vec![&b"aa bb"[..], b"cc"]);
        assert_eq!(wrap(b"abcdefgh", unit, 3.0), vec![&b"abc"[..], b"def", b"gh"]);
        assert_eq!(wrap(b"", unit, 3.0), vec![&b""[..]]);
    }

    #[test]
    fn long_text_flows_onto_more_pages() {
        let mut doc = Document::new("Test");
        for _ in 0..80 {
            doc.paragraph("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.");
        }
        doc.mark(&[vec![(0.1, 0.5), (0.9, 0.5)], vec![(0.5, 0.5)]]);
        let bytes = doc.finish("2026-12-05T12:00:00Z");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("page 1 of 3") || text.contains("page 1 of 4"), "several pages");
        assert!(text.contains("/Count "));
    }
}

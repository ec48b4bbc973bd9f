//! The file itself: objects, cross-reference table, trailer and the XMP packet that declares
//! PDF/A-2b. Object numbers are fixed by position: catalog, page tree, metadata, then three
//! objects per font, then a page and its content per page.

use sha2::{Digest, Sha256};

use crate::PAGE_HEIGHT;
use crate::PAGE_WIDTH;
use crate::encoding::FIRST_CODE;
use crate::font::Font;

const CATALOG: usize = 1;
const PAGES: usize = 2;
const METADATA: usize = 3;
const FIRST_FONT: usize = 4;
const FIRST_PAGE: usize = FIRST_FONT + 3 * 2;

struct Objects {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Objects {
    fn add(&mut self, number: usize, body: &[u8]) {
        debug_assert_eq!(number, self.offsets.len() + 1, "objects are written in number order");
        self.offsets.push(self.out.len());
        self.out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, number: usize, dictionary: &str, data: &[u8]) {
        let mut body = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.add(number, &body);
    }
}

pub(crate) fn write(title: &str, created: &str, fonts: [&Font; 2], pages: &[Vec<u8>]) -> Vec<u8> {
    // The second line's high bytes tell readers the file is binary (PDF/A asks for it).
    let mut objects = Objects { out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(), offsets: Vec::new() };
    objects.add(CATALOG, format!("<< /Type /Catalog /Pages {PAGES} 0 R /Metadata {METADATA} 0 R >>").as_bytes());
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", FIRST_PAGE + 2 * i)).collect();
    let tree = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len());
    objects.add(PAGES, tree.as_bytes());
    objects.stream(METADATA, "/Type /Metadata /Subtype /XML", xmp(title, created).as_bytes());
    for (i, font) in fonts.iter().enumerate() {
        let number = FIRST_FONT + 3 * i;
        let widths: Vec<String> = font.widths.iter().map(i32::to_string).collect();
        let dictionary = format!(
            "<< /Type /Font /Subtype /TrueType /BaseFont /{} /FirstChar {FIRST_CODE} /LastChar 255 \
             /Widths [{}] /FontDescriptor {} 0 R /Encoding /WinAnsiEncoding >>",
            font.name,
            widths.join(" "),
            number + 1
        );
        objects.add(number, dictionary.as_bytes());
        let [x0, y0, x1, y1] = font.bbox;
        let descriptor = format!(
            "<< /Type /FontDescriptor /FontName /{} /Flags 32 /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 \
             /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile2 {} 0 R >>",
            font.name,
            font.ascent,
            font.descent,
            font.ascent * 3 / 4,
            font.stem_v,
            number + 2
        );
        objects.add(number + 1, descriptor.as_bytes());
        objects.stream(number + 2, &format!("/Length1 {}", font.program.len()), font.program);
    }
    let resources = format!("<< /Font << /F1 {} 0 R /F2 {} 0 R >> >>", FIRST_FONT, FIRST_FONT + 3);
    for (i, content) in pages.iter().enumerate() {
        let number = FIRST_PAGE + 2 * i;
        let page = format!(
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] /Resources {resources} \
             /Contents {} 0 R >>",
            number + 1
        );
        objects.add(number, page.as_bytes());
        objects.stream(number + 1, "", content);
    }

    let id = hex(&Sha256::digest(&objects.out)[..16]);
    let xref_at = objects.out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.offsets.len() + 1);
    for offset in &objects.offsets {
        tail.push_str(&format!("{offset:010} 00000 n \n"));
    }
    tail.push_str(&format!(
        "trailer\n<< /Size {} /Root {CATALOG} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref_at}\n%%EOF\n",
        objects.offsets.len() + 1
    ));
    objects.out.extend_from_slice(tail.as_bytes());
    objects.out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The metadata packet: the PDF/A claim, the title and the creation time.
fn xmp(title: &str, created: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         <pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
         <dc:format>application/pdf</dc:format>\n\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n\
         <xmp:CreateDate>{created}</xmp:CreateDate>\n<xmp:CreatorTool>Haven</xmp:CreatorTool>\n\
         <pdf:Producer>Haven</pdf:Producer>\n\
         </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
        escape(title),
        created = escape(created)
    )
}

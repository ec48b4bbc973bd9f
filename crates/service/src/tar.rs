//! The archive inside backups and exports: POSIX ustar, so that `age --decrypt … | tar x` opens
//! either without Haven. Only regular files and directories are written or read back (no links,
//! no devices),
//! paths are relative and never climb out of the directory they are restored into, and a size
//! past ustar's 8 GiB octal field is written in the base-256 form GNU tar reads.

use std::io::{self, Read, Write};

const BLOCK: usize = 512;

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the archive is malformed: {message}"))
}

/// Whether `path` may be written into a restore directory: relative, plain components only.
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 255
        && !path.starts_with('/')
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\0'))
}

/// Writes one regular file's header; its `size` bytes follow, then `pad`.
pub fn write_header(out: &mut impl Write, path: &str, size: u64, mtime: u64) -> io::Result<()> {
    write_entry(out, path, size, mtime, b'0')
}

/// Writes a directory's entry (for directories that must exist even when empty).
pub fn write_directory(out: &mut impl Write, path: &str, mtime: u64) -> io::Result<()> {
    write_entry(out, path, 0, mtime, b'5')
}

fn write_entry(out: &mut impl Write, path: &str, size: u64, mtime: u64, kind: u8) -> io::Result<()> {
    if !is_safe_path(path) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{path:?} cannot go into an archive")));
    }
    let mut header = [0u8; BLOCK];
    let (prefix, name) = split_path(path)?;
    header[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut header[100..108], if kind == b'5' { 0o700 } else { 0o600 });
    octal(&mut header[108..116], 0);
    octal(&mut header[116..124], 0);
    if size < 0o77_777_777_777 {
        octal(&mut header[124..136], size);
    } else {
        header[124] = 0x80;
        header[128..136].copy_from_slice(&size.to_be_bytes());
    }
    octal(&mut header[136..148], mtime);
    header[156] = kind;
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    header[148..156].fill(b' ');
    let sum: u64 = header.iter().map(|b| u64::from(*b)).sum();
    octal(&mut header[148..155], sum);
    header[155] = b' ';
    out.write_all(&header)
}

/// Zeros after a file's content up to the next block.
pub fn pad(out: &mut impl Write, size: u64) -> io::Result<()> {
    let rest = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
    out.write_all(&[0u8; BLOCK][..rest as usize])
}

/// The archive's end: two empty blocks.
pub fn finish(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&[0u8; 2 * BLOCK])
}

/// A path longer than ustar's 100-byte name goes partly into its 155-byte prefix, split at a `/`.
fn split_path(path: &str) -> io::Result<(&str, &str)> {
    if path.len() <= 100 {
        return Ok(("", path));
    }
    path.char_indices()
        .filter(|(_, c)| *c == '/')
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .find(|(prefix, name)| prefix.len() <= 155 && name.len() <= 100)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{path:?} is too long for the archive")))
}

/// `value` as zero-padded octal filling all but the last byte of `field`, which stays NUL.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    field[..width].copy_from_slice(&digits.as_bytes()[digits.len() - width..]);
}

fn read_number(field: &[u8]) -> io::Result<u64> {
    if field[0] & 0x80 != 0 {
        if field[0] != 0x80 || field[1..field.len() - 8].iter().any(|b| *b != 0) {
            return Err(invalid("a size too large to read"));
        }
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&field[field.len() - 8..]);
        return Ok(u64::from_be_bytes(bytes));
    }
    let text: Vec<u8> = field.iter().copied().take_while(|b| *b != 0 && *b != b' ').collect();
    let text = std::str::from_utf8(&text).map_err(|_| invalid("a number field is not text"))?;
    let text = text.trim_start_matches(' ');
    if text.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(text, 8).map_err(|_| invalid("a number field is not octal"))
}

fn text_field(field: &[u8]) -> io::Result<&str> {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    std::str::from_utf8(&field[..end]).map_err(|_| invalid("a path is not UTF-8"))
}

/// One file or directory of the archive as it is read.
#[derive(Debug)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    pub directory: bool,
}

/// Reads an archive's entries one at a time: `next` gives the header, then the caller reads
/// exactly `size` bytes of content from `content()` before asking for the next.
#[derive(Debug)]
pub struct Reader<R: Read> {
    input: R,
    /// Content bytes of the current entry not yet read, then its padding.
    left: u64,
    padding: u64,
}

impl<R: Read> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader { input, left: 0, padding: 0 }
    }

    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        io::copy(&mut (&mut self.input).take(self.left + self.padding), &mut io::sink())?;
        self.left = 0;
        let mut header = [0u8; BLOCK];
        self.input.read_exact(&mut header).map_err(|_| invalid("it ends without its closing blocks"))?;
        if header.iter().all(|b| *b == 0) {
            return Ok(None);
        }
        let stored = read_number(&header[148..156])?;
        let mut blank = header;
        blank[148..156].fill(b' ');
        if blank.iter().map(|b| u64::from(*b)).sum::<u64>() != stored {
            return Err(invalid("a header's checksum does not match"));
        }
        let (name, prefix) = (text_field(&header[..100])?, text_field(&header[345..500])?);
        let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
        let size = read_number(&header[124..136])?;
        let directory = match header[156] {
            b'0' | 0 => false,
            b'5' => true,
            _ => return Err(invalid(&format!("{path:?} is not a regular file"))),
        };
        // Directories may be written with a trailing slash.
        let path = if directory { path.trim_end_matches('/').to_owned() } else { path };
        let size = if directory { 0 } else { size };
        if !is_safe_path(&path) {
            return Err(invalid(&format!("{path:?} would be written outside the restore directory")));
        }
        self.left = size;
        self.padding = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        Ok(Some(Entry { path, size, directory }))
    }

    /// The current entry's content (exactly its size).
    pub fn content(&mut self) -> impl Read + '_ {
        Content { reader: self }
    }
}

struct Content<'a, R: Read> {
    reader: &'a mut Reader<R>,
}

impl<R: Read> Read for Content<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(self.reader.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.reader.input.read(&mut buf[..want])?;
        if n == 0 {
            return Err(invalid("a file's content is cut short"));
        }
        self.reader.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (path, content) in files {
            write_header(&mut out, path, content.len() as u64, 1_700_000_000).unwrap_or_else(|e| panic!("{e}"));
            out.extend_from_slice(content);
            pad(&mut out, content.len() as u64).unwrap_or_else(|e| panic!("{e}"));
        }
        finish(&mut out).unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn files_read_back_whatever_their_length_and_path() {
        let long = format!("documents/{}/{}", "7".repeat(36), "f".repeat(64));
        let files: Vec<(&str, &[u8])> = vec![("a.json", b"{}"), (&long, &[9u8; 1025]), ("empty", b"")];
        let bytes = archive(&files);
        assert_eq!(bytes.len() % BLOCK, 0);
        let mut reader = Reader::new(bytes.as_slice());
        for (path, content) in &files {
            let entry =
                reader.next_entry().unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("{path} missing"));
            assert_eq!((entry.path.as_str(), entry.size), (*path, content.len() as u64));
            let mut read = Vec::new();
            reader.content().read_to_end(&mut read).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&read, content);
        }
        assert!(reader.next_entry().unwrap_or_else(|e| panic!("{e}")).is_none());
    }

    #[test]
    fn directories_read_back_as_directories() {
        let mut out = Vec::new();
        write_directory(&mut out, "postgres/pg_notify", 0).unwrap_or_else(|e| panic!("{e}"));
        write_header(&mut out, "postgres/PG_VERSION", 3, 0).unwrap_or_else(|e| panic!("{e}"));
        out.extend_from_slice(b"17\n");
        pad(&mut out, 3).unwrap_or_else(|e| panic!("{e}"));
        finish(&mut out).unwrap_or_else(|e| panic!("{e}"));
        let mut reader = Reader::new(out.as_slice());
        let dir = reader.next_entry().ok().flatten().unwrap_or_else(|| panic!("no directory"));
        assert!(dir.directory && dir.path == "postgres/pg_notify" && dir.size == 0, "{dir:?}");
        let file = reader.next_entry().ok().flatten().unwrap_or_else(|| panic!("no file"));
        assert!(!file.directory && file.size == 3, "{file:?}");
        assert!(write_directory(&mut Vec::new(), "../up", 0).is_err());
    }

    #[test]
    fn unsafe_paths_links_and_damage_are_refused() {
        for path in ["/etc/passwd", "../up", "a/../../b", "a//b", ""] {
            assert!(!is_safe_path(path), "{path}");
            assert!(write_header(&mut Vec::new(), path, 0, 0).is_err(), "{path}");
        }
        let mut bytes = archive(&[("ok", b"x")]);
        bytes[156] = b'2';
        let refused = Reader::new(bytes.as_slice()).next_entry().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("checksum"), "{refused}");
        let mut bytes = archive(&[("ok", b"x")]);
        bytes[0] = b'p';
        assert!(Reader::new(bytes.as_slice()).next_entry().is_err(), "a changed name must fail the checksum");
        let bytes = archive(&[("ok", b"x")]);
        assert!(Reader::new(&bytes[..BLOCK]).next_entry().is_ok_and(|e| e.is_some()));
        let mut cut = Reader::new(&bytes[..BLOCK]);
        let _ = cut.next_entry();
        assert!(cut.next_entry().is_err(), "an archive without its end must be refused");
    }

    #[test]
    fn sizes_past_eight_gibibytes_use_base_256() {
        let mut header = Vec::new();
        write_header(&mut header, "haven.db", 10 << 30, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_number(&header[124..136]).ok(), Some(10 << 30));
        assert_eq!(read_number(b"00000001750\0").ok(), Some(1000));
    }
}

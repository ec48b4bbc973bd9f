//! Files encrypted in the age v1 format (age-encryption.org/v1) to X25519 recipients: what
//! backups and exports are written as, so that the practice can open them with the standard
//! `age` tool and its own key, without Haven. Only the X25519 recipient type is written or read
//! (no passphrases, no SSH keys); the test suite checks both directions against Debian's `age`.
//!
//! The format: a text header (one stanza per recipient, each wrapping the same random 128-bit
//! file key, then an HMAC over the header), a 16-byte nonce, and the payload in 64 KiB chunks,
//! each sealed with ChaCha20-Poly1305 under a key derived from the file key and that nonce, the
//! chunk's number and a last-chunk flag in its nonce — so a reordered, cut or lengthened file is
//! refused, and the reader can tell a truncated file from a corrupted one.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use curve25519_dalek::montgomery::MontgomeryPoint;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

const VERSION_LINE: &[u8] = b"age-encryption.org/v1\n";
const X25519_LABEL: &[u8] = b"age-encryption.org/v1/X25519";
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
/// A header longer than this is not one Haven wrote or can need.
const HEADER_MAX: usize = 64 * 1024;
const RECIPIENT_HRP: &str = "age";
const IDENTITY_HRP: &str = "age-secret-key-";

/// Why an age file could not be opened. Each message says what to do, never what is inside.
#[derive(Debug, thiserror::Error)]
pub enum AgeError {
    #[error("not an age-encrypted file (its first line is not age-encryption.org/v1)")]
    NotAge,
    #[error("the age header is malformed: {0}")]
    Header(&'static str),
    #[error("none of the given keys opens it: it was encrypted to another recipient")]
    NoMatchingKey,
    #[error("its header was altered (the header MAC does not match)")]
    HeaderMac,
    #[error("it is truncated: it ends before its last chunk")]
    Truncated,
    #[error("it is damaged or cut short: chunk {0} does not authenticate")]
    Corrupted(u64),
    #[error("it has data after its last chunk")]
    TrailingData,
    #[error("{0}")]
    Key(&'static str),
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<AgeError> for io::Error {
    fn from(e: AgeError) -> Self {
        match e {
            AgeError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

/// A public key to encrypt to: `age1…`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Recipient([u8; 32]);

impl Recipient {
    pub fn parse(text: &str) -> Result<Self, AgeError> {
        let bytes = bech32::decode(text.trim(), RECIPIENT_HRP)
            .ok_or(AgeError::Key("not an age recipient (a public key starting age1)"))?;
        Ok(Recipient(bytes.try_into().map_err(|_| AgeError::Key("an age recipient must hold 32 bytes"))?))
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bech32::encode(RECIPIENT_HRP, &self.0))
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({self})")
    }
}

/// A private key: `AGE-SECRET-KEY-1…`. Wiped on drop, never printed by `Debug`.
pub struct Identity(Zeroizing<[u8; 32]>);

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity(for {})", self.recipient())
    }
}

impl Identity {
    pub fn generate() -> Self {
        Identity(Zeroizing::new(random()))
    }

    pub fn parse(text: &str) -> Result<Self, AgeError> {
        let bytes = Zeroizing::new(
            bech32::decode(text.trim(), IDENTITY_HRP)
                .ok_or(AgeError::Key("not an age identity (a key starting AGE-SECRET-KEY-1)"))?,
        );
        let key: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| AgeError::Key("an age identity must hold 32 bytes"))?;
        Ok(Identity(Zeroizing::new(key)))
    }

    /// The identities in an identity file as `age-keygen` writes it (`#` comments allowed).
    pub fn parse_file(text: &str) -> Result<Vec<Self>, AgeError> {
        let identities = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(Identity::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if identities.is_empty() {
            return Err(AgeError::Key("the identity file holds no AGE-SECRET-KEY line"));
        }
        Ok(identities)
    }

    /// The secret as `age-keygen` writes it; the caller keeps it out of logs.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        Zeroizing::new(bech32::encode(IDENTITY_HRP, self.0.as_slice()).to_ascii_uppercase())
    }

    pub fn recipient(&self) -> Recipient {
        Recipient(MontgomeryPoint::mul_base_clamped(*self.0).to_bytes())
    }

    /// The file key, if this stanza was wrapped for this identity.
    fn unwrap(&self, share: &[u8; 32], body: &[u8]) -> Option<Zeroizing<[u8; 16]>> {
        let shared = Zeroizing::new(MontgomeryPoint(*share).mul_clamped(*self.0).to_bytes());
        if shared.iter().all(|b| *b == 0) {
            return None;
        }
        let key = wrapping_key(&shared, share, &self.recipient().0);
        let (sealed, tag) = body.split_at_checked(16)?;
        let mut file_key = Zeroizing::new([0u8; 16]);
        file_key.copy_from_slice(sealed);
        let tag = Tag::try_from(tag).ok()?;
        ChaCha20Poly1305::new(&(*key).into())
            .decrypt_inout_detached(&Nonce::default(), &[], file_key.as_mut_slice().into(), &tag)
            .ok()?;
        Some(file_key)
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the operating system gave no randomness: {e}"));
    bytes
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, out.as_mut_slice()).unwrap_or_else(|_| unreachable!());
    out
}

fn wrapping_key(shared: &[u8; 32], share: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(share);
    salt[32..].copy_from_slice(recipient);
    hkdf(&salt, shared, X25519_LABEL)
}

fn header_mac(file_key: &[u8; 16], header: &[u8]) -> Hmac<Sha256> {
    let key = hkdf(&[], file_key, b"header");
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_slice()).unwrap_or_else(|_| unreachable!());
    mac.update(header);
    mac
}

fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[3..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::from(nonce)
}

/// Seals a chunk in place and returns its tag. Not generic on purpose: the cipher is then
/// compiled in this crate, optimised even in test builds, not in each crate that uses a
/// generic `Encryptor` or `Decryptor` (unoptimised, a backup ran at a few MB/s).
fn seal_in_place(cipher: &ChaCha20Poly1305, nonce: &Nonce, chunk: &mut [u8]) -> Option<Tag> {
    cipher.encrypt_inout_detached(nonce, &[], chunk.into()).ok()
}

/// Opens a chunk in place; whether it authenticated (see `seal_in_place`).
fn open_in_place(cipher: &ChaCha20Poly1305, nonce: &Nonce, chunk: &mut [u8], tag: &Tag) -> bool {
    cipher.decrypt_inout_detached(nonce, &[], chunk.into(), tag).is_ok()
}

/// Writes an age file: the header at once, then the payload as it is written. Call `finish`:
/// without it the file has no last chunk and readers refuse it as truncated.
pub struct Encryptor<W: Write> {
    out: W,
    cipher: ChaCha20Poly1305,
    counter: u64,
    buffer: Zeroizing<Vec<u8>>,
}

impl<W: Write> fmt::Debug for Encryptor<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encryptor(chunk {})", self.counter)
    }
}

impl<W: Write> Encryptor<W> {
    pub fn new(mut out: W, recipients: &[Recipient]) -> io::Result<Self> {
        if recipients.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "an age file needs at least one recipient"));
        }
        let file_key = Zeroizing::new(random::<16>());
        let mut header = VERSION_LINE.to_vec();
        for recipient in recipients {
            let ephemeral = Zeroizing::new(random::<32>());
            let share = MontgomeryPoint::mul_base_clamped(*ephemeral).to_bytes();
            let shared = Zeroizing::new(MontgomeryPoint(recipient.0).mul_clamped(*ephemeral).to_bytes());
            let key = wrapping_key(&shared, &share, &recipient.0);
            let mut body = [0u8; 32];
            body[..16].copy_from_slice(file_key.as_slice());
            let tag = ChaCha20Poly1305::new(&(*key).into())
                .encrypt_inout_detached(&Nonce::default(), &[], (&mut body[..16]).into())
                .map_err(|_| io::Error::other("cannot wrap the file key"))?;
            body[16..].copy_from_slice(&tag);
            header.extend_from_slice(b"-> X25519 ");
            header.extend_from_slice(STANDARD_NO_PAD.encode(share).as_bytes());
            header.push(b'\n');
            header.extend_from_slice(STANDARD_NO_PAD.encode(body).as_bytes());
            header.push(b'\n');
        }
        header.extend_from_slice(b"---");
        let mac = header_mac(&file_key, &header).finalize().into_bytes();
        header.push(b' ');
        header.extend_from_slice(STANDARD_NO_PAD.encode(mac).as_bytes());
        header.push(b'\n');
        let nonce = random::<16>();
        out.write_all(&header)?;
        out.write_all(&nonce)?;
        let key = hkdf(&nonce, file_key.as_slice(), b"payload");
        let buffer = Zeroizing::new(Vec::with_capacity(CHUNK + TAG));
        Ok(Encryptor { out, cipher: ChaCha20Poly1305::new(&(*key).into()), counter: 0, buffer })
    }

    fn seal_chunk(&mut self, last: bool) -> io::Result<()> {
        let nonce = chunk_nonce(self.counter, last);
        let tag = seal_in_place(&self.cipher, &nonce, self.buffer.as_mut_slice())
            .ok_or_else(|| io::Error::other("cannot seal a chunk"))?;
        self.out.write_all(&self.buffer)?;
        self.out.write_all(&tag)?;
        self.buffer.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| io::Error::other("too many chunks"))?;
        Ok(())
    }

    /// Seals the last chunk and returns the writer (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        self.seal_chunk(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data shows it is not the last.
        if self.buffer.len() == CHUNK {
            self.seal_chunk(false)?;
        }
        let taken = data.len().min(CHUNK - self.buffer.len());
        self.buffer.extend_from_slice(&data[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads an age file's payload, refusing it at the first chunk that does not authenticate.
pub struct Decryptor<R: Read> {
    input: BufReader<R>,
    cipher: ChaCha20Poly1305,
    counter: u64,
    plain: Zeroizing<Vec<u8>>,
    at: usize,
    done: bool,
}

impl<R: Read> fmt::Debug for Decryptor<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decryptor(chunk {})", self.counter)
    }
}

impl<R: Read> Decryptor<R> {
    /// Reads the header and opens it with the first identity that unwraps a stanza.
    pub fn new(input: R, identities: &[Identity]) -> Result<Self, AgeError> {
        let mut input = BufReader::with_capacity(CHUNK + TAG + 1, input);
        let header = read_header(&mut input)?;
        let file_key = header
            .stanzas
            .iter()
            .filter(|s| s.kind == "X25519")
            .find_map(|s| identities.iter().find_map(|i| i.unwrap(&s.share, &s.body)))
            .ok_or(AgeError::NoMatchingKey)?;
        let expected = header_mac(&file_key, &header.signed);
        expected.verify_slice(&header.mac).map_err(|_| AgeError::HeaderMac)?;
        let mut nonce = [0u8; 16];
        input.read_exact(&mut nonce).map_err(|_| AgeError::Truncated)?;
        let key = hkdf(&nonce, file_key.as_slice(), b"payload");
        let cipher = ChaCha20Poly1305::new(&(*key).into());
        Ok(Decryptor { input, cipher, counter: 0, plain: Zeroizing::new(Vec::new()), at: 0, done: false })
    }

    fn next_chunk(&mut self) -> Result<(), AgeError> {
        let mut sealed = Zeroizing::new(vec![0u8; CHUNK + TAG]);
        let got = read_full(&mut self.input, &mut sealed)?;
        let last = got < sealed.len() || self.input.fill_buf()?.is_empty();
        if got < TAG {
            return Err(AgeError::Truncated);
        }
        if last && got == TAG && self.counter > 0 {
            return Err(AgeError::Corrupted(self.counter));
        }
        let (body, tag) = sealed[..got].split_at_mut(got - TAG);
        let tag = Tag::try_from(&*tag).map_err(|_| AgeError::Truncated)?;
        if !open_in_place(&self.cipher, &chunk_nonce(self.counter, last), body, &tag) {
            // A chunk that authenticates as not-last but is followed by nothing was cut short.
            let mut copy = Zeroizing::new(sealed[..got - TAG].to_vec());
            let not_last = open_in_place(&self.cipher, &chunk_nonce(self.counter, false), &mut copy, &tag);
            return Err(if last && not_last { AgeError::Truncated } else { AgeError::Corrupted(self.counter) });
        }
        self.plain.clear();
        self.plain.extend_from_slice(&sealed[..got - TAG]);
        self.at = 0;
        self.done = last;
        self.counter += 1;
        Ok(())
    }
}

impl<R: Read> Read for Decryptor<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.at);
        out[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

struct Stanza {
    kind: String,
    share: [u8; 32],
    body: Vec<u8>,
}

struct Header {
    stanzas: Vec<Stanza>,
    /// The header up to and including `---`: what its MAC covers.
    signed: Vec<u8>,
    mac: Vec<u8>,
}

fn read_header(input: &mut impl BufRead) -> Result<Header, AgeError> {
    let mut signed = Vec::new();
    let mut line = Vec::new();
    let mut next_line = |signed: &mut Vec<u8>, line: &mut Vec<u8>| -> Result<(), AgeError> {
        line.clear();
        let n = input.take((HEADER_MAX - signed.len().min(HEADER_MAX)) as u64).read_until(b'\n', line)?;
        if n == 0 || line.last() != Some(&b'\n') {
            return Err(if signed.is_empty() {
                AgeError::NotAge
            } else {
                AgeError::Header("it ends inside the header")
            });
        }
        Ok(())
    };
    next_line(&mut signed, &mut line)?;
    if line != VERSION_LINE {
        return Err(AgeError::NotAge);
    }
    signed.extend_from_slice(&line);
    let mut stanzas = Vec::new();
    next_line(&mut signed, &mut line)?;
    loop {
        if let Some(mac) = line.strip_prefix(b"--- ") {
            signed.extend_from_slice(b"---");
            let mac = decode(&mac[..mac.len() - 1]).ok_or(AgeError::Header("the MAC is not base64"))?;
            if mac.len() != 32 {
                return Err(AgeError::Header("the MAC must hold 32 bytes"));
            }
            return Ok(Header { stanzas, signed, mac });
        }
        let Some(arguments) = line.strip_prefix(b"-> ") else {
            return Err(AgeError::Header("a line is neither a stanza nor the MAC"));
        };
        let arguments = std::str::from_utf8(&arguments[..arguments.len() - 1])
            .map_err(|_| AgeError::Header("a stanza's arguments are not text"))?;
        let arguments: Vec<String> = arguments.split(' ').map(str::to_owned).collect();
        if arguments.iter().any(|a| a.is_empty() || !a.bytes().all(|b| (33..=126).contains(&b))) {
            return Err(AgeError::Header("a stanza has an empty or unprintable argument"));
        }
        let kind = arguments[0].to_owned();
        signed.extend_from_slice(&line);
        let mut body = Vec::new();
        loop {
            next_line(&mut signed, &mut line)?;
            signed.extend_from_slice(&line);
            let text = &line[..line.len() - 1];
            if text.len() > 64 {
                return Err(AgeError::Header("a stanza body line is longer than 64 characters"));
            }
            body.extend(decode(text).ok_or(AgeError::Header("a stanza body is not base64"))?);
            if text.len() < 64 {
                break;
            }
        }
        let share = if kind == "X25519" {
            let [_, share] = arguments.as_slice() else {
                return Err(AgeError::Header("an X25519 stanza takes one argument"));
            };
            let share = decode(share.as_bytes()).and_then(|s| <[u8; 32]>::try_from(s).ok());
            let share = share.ok_or(AgeError::Header("an X25519 share must be 32 bytes of base64"))?;
            if body.len() != 32 {
                return Err(AgeError::Header("an X25519 stanza's body must hold 32 bytes"));
            }
            share
        } else {
            [0; 32]
        };
        stanzas.push(Stanza { kind, share, body });
        next_line(&mut signed, &mut line)?;
    }
}

fn decode(text: &[u8]) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(text).ok()
}

/// Bech32 (BIP 173, the original checksum constant), as age spells its keys; without BIP 173's
/// 90-character limit, which age does not keep.
mod bech32 {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GENERATOR: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];

    fn polymod(values: impl Iterator<Item = u8>) -> u32 {
        values.fold(1u32, |check, value| {
            let top = check >> 25;
            let mut check = ((check & 0x01ff_ffff) << 5) ^ u32::from(value);
            for (i, g) in GENERATOR.iter().enumerate() {
                if (top >> i) & 1 == 1 {
                    check ^= g;
                }
            }
            check
        })
    }

    fn expanded_hrp(hrp: &str) -> impl Iterator<Item = u8> + '_ {
        hrp.bytes().map(|b| b >> 5).chain([0]).chain(hrp.bytes().map(|b| b & 31))
    }

    fn regroup(data: &[u8], from: u32, to: u32, pad: bool) -> Option<Vec<u8>> {
        let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
        let max = (1u32 << to) - 1;
        for &value in data {
            acc = (acc << from) | u32::from(value);
            bits += from;
            while bits >= to {
                bits -= to;
                out.push(((acc >> bits) & max) as u8);
            }
        }
        if pad && bits > 0 {
            out.push(((acc << (to - bits)) & max) as u8);
        } else if !pad && (bits >= from || (acc << (to - bits)) & max != 0) {
            return None;
        }
        Some(out)
    }

    pub(super) fn encode(hrp: &str, data: &[u8]) -> String {
        let words = regroup(data, 8, 5, true).unwrap_or_default();
        let check = polymod(expanded_hrp(hrp).chain(words.iter().copied()).chain([0; 6])) ^ 1;
        let checksum = (0..6).map(|i| ((check >> (5 * (5 - i))) & 31) as u8);
        let mut out = format!("{hrp}1");
        out.extend(words.iter().copied().chain(checksum).map(|w| char::from(CHARSET[usize::from(w)])));
        out
    }

    /// The data of `text` if it is valid Bech32 with prefix `hrp`, in one case throughout.
    pub(super) fn decode(text: &str, hrp: &str) -> Option<Vec<u8>> {
        if text.bytes().any(|b| b.is_ascii_uppercase()) && text.bytes().any(|b| b.is_ascii_lowercase()) {
            return None;
        }
        // Lowered copies of secret keys are wiped too.
        let text = zeroize::Zeroizing::new(text.to_ascii_lowercase());
        let (prefix, rest) = text.rsplit_once('1')?;
        if prefix != hrp || rest.len() < 6 {
            return None;
        }
        let words: Vec<u8> =
            rest.bytes().map(|b| CHARSET.iter().position(|c| *c == b).map(|p| p as u8)).collect::<Option<_>>()?;
        if polymod(expanded_hrp(hrp).chain(words.iter().copied())) != 1 {
            return None;
        }
        regroup(&words[..words.len() - 6], 5, 8, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encrypt(plain: &[u8], to: &[Recipient]) -> Vec<u8> {
        let mut writer = Encryptor::new(Vec::new(), to).unwrap_or_else(|e| panic!("{e}"));
        writer.write_all(plain).unwrap_or_else(|e| panic!("{e}"));
        writer.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    fn decrypt(file: &[u8], with: &[Identity]) -> Result<Vec<u8>, io::Error> {
        let mut plain = Vec::new();
        Decryptor::new(file, with)?.read_to_end(&mut plain)?;
        Ok(plain)
    }

    fn message(e: &io::Error) -> String {
        e.to_string()
    }

    #[test]
    fn round_trips_at_every_chunk_boundary() {
        let identity = Identity::generate();
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 7] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let file = encrypt(&plain, &[identity.recipient()]);
            let chunks = size.div_ceil(CHUNK).max(1);
            assert!(file.len() > size + chunks * TAG, "size {size}");
            let opened = decrypt(&file, std::slice::from_ref(&identity));
            assert_eq!(opened.unwrap_or_else(|e| panic!("size {size}: {e}")), plain);
        }
    }

    #[test]
    fn any_of_several_recipients_opens_it_and_a_stranger_does_not() {
        let (a, b, stranger) = (Identity::generate(), Identity::generate(), Identity::generate());
        let file = encrypt(b"backup", &[a.recipient(), b.recipient()]);
        assert_eq!(decrypt(&file, &[b]).ok().as_deref(), Some(&b"backup"[..]));
        assert_eq!(decrypt(&file, &[a]).ok().as_deref(), Some(&b"backup"[..]));
        let refused = decrypt(&file, &[stranger]).err().map(|e| message(&e)).unwrap_or_default();
        assert!(refused.contains("another recipient"), "{refused}");
    }

    #[test]
    fn truncation_corruption_and_header_tampering_are_told_apart() {
        let identity = Identity::generate();
        let plain = vec![7u8; 3 * CHUNK];
        let file = encrypt(&plain, &[identity.recipient()]);
        let open = |bytes: &[u8]| decrypt(bytes, std::slice::from_ref(&identity)).err().map(|e| message(&e));

        let cut_at_chunk = file.len() - (CHUNK + TAG);
        assert!(open(&file[..cut_at_chunk]).unwrap_or_default().contains("truncated"), "dropped last chunk");
        assert!(open(&file[..file.len() - 100]).unwrap_or_default().contains("chunk 2"), "cut inside a chunk");

        let mut flipped = file.clone();
        let at = file.len() - CHUNK;
        flipped[at] ^= 1;
        assert!(open(&flipped).unwrap_or_default().contains("damaged"), "flipped byte");

        let mut longer = file.clone();
        longer.extend_from_slice(&[0; 32]);
        assert!(open(&longer).is_some(), "appended bytes");

        let header_end = file.windows(4).position(|w| w == b"--- ").unwrap_or(0);
        let mut tampered = file.clone();
        tampered.splice(header_end..header_end, b"-> extra-stanza\n\n".iter().copied());
        assert!(open(&tampered).unwrap_or_default().contains("header was altered"), "extra stanza");

        assert!(open(b"PK\x03\x04 a zip file").unwrap_or_default().contains("not an age"));
        assert!(open(&file[..20]).unwrap_or_default().contains("not an age"));
        assert!(open(&file[..40]).unwrap_or_default().contains("header"));
    }

    #[test]
    fn keys_spell_as_age_keygen_writes_them() {
        // `age-keygen -y` (age 1.1.1) prints this recipient for this identity.
        let secret = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
        let identity = Identity::parse(secret).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(identity.to_secret_string().as_str(), secret);
        assert_eq!(identity.recipient().to_string(), "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
        let parsed = Recipient::parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
        assert_eq!(parsed.ok(), Some(identity.recipient()));
        assert!(Recipient::parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk").is_err());
        assert!(Identity::parse("AGE-SECRET-KEY-1gfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpq4egaex").is_err());
        assert!(!format!("{identity:?}").contains("SECRET"));
        let file = format!("# created: now\n# public key: {}\n{secret}\n", identity.recipient());
        assert_eq!(Identity::parse_file(&file).map(|i| i.len()).ok(), Some(1));
        assert!(Identity::parse_file("# only comments\n").is_err());
    }
}

//! WebAuthn (passkeys) for a relying party, with only what Haven needs: ES256 credentials
//! (P-256, the algorithm every platform authenticator and security key offers), attestation
//! not requested (`"none"`; any statement sent anyway is ignored, as the spec allows), and
//! assertions checked for challenge, origin, relying party, user presence and, when asked,
//! user verification, with the signature counter guarding against cloned authenticators.
//! Pure: the caller supplies the challenge it issued and stores what comes back.

use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use sha2::{Digest, Sha256};

/// COSE algorithm identifier of ES256 (ECDSA with P-256 and SHA-256).
pub const ES256: i64 = -7;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebauthnError {
    #[error("the response is malformed: {0}")]
    Malformed(&'static str),
    #[error("the response is for another request (challenge)")]
    Challenge,
    #[error("the response comes from another site ({0})")]
    Origin(String),
    #[error("the response is for another relying party")]
    RelyingParty,
    #[error("the authenticator did not confirm a person was present")]
    NotPresent,
    #[error("the authenticator did not verify the person (PIN or biometrics)")]
    NotVerified,
    #[error("only ES256 (P-256) passkeys are supported")]
    Algorithm,
    #[error("the signature does not match the passkey")]
    Signature,
    #[error("the authenticator's counter went backwards: it may have been cloned")]
    Counter,
}

/// What the relying party expects of a response.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The challenge issued for this ceremony.
    pub challenge: &'a [u8],
    /// The page's origin, e.g. `https://haven.example.org`.
    pub origin: &'a str,
    /// The relying party id: the origin's host, e.g. `haven.example.org`.
    pub rp_id: &'a str,
    /// Refuse unless the authenticator verified the person (needed when the passkey is the only factor).
    pub user_verification: bool,
}

/// A credential just registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub id: Vec<u8>,
    /// The public key as an uncompressed SEC1 point (65 bytes).
    pub public_key: Vec<u8>,
    pub sign_count: u32,
}

/// Checks a registration (`navigator.credentials.create`) and returns the credential.
pub fn register(
    client_data_json: &[u8],
    attestation_object: &[u8],
    expected: &Expected<'_>,
) -> Result<NewCredential, WebauthnError> {
    check_client_data(client_data_json, "webauthn.create", expected)?;
    let object = Cbor::decode(attestation_object)?;
    let auth_data =
        object.get_text_key("authData").and_then(Cbor::bytes).ok_or(WebauthnError::Malformed("authData"))?;
    let data = AuthenticatorData::parse(auth_data, expected)?;
    let attested = data.attested.ok_or(WebauthnError::Malformed("no attested credential"))?;
    Ok(NewCredential { id: attested.id, public_key: attested.public_key, sign_count: data.sign_count })
}

/// Checks an assertion (`navigator.credentials.get`) against a stored credential; returns the
/// new signature counter to store.
pub fn authenticate(
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    public_key: &[u8],
    stored_count: u32,
    expected: &Expected<'_>,
) -> Result<u32, WebauthnError> {
    check_client_data(client_data_json, "webauthn.get", expected)?;
    let data = AuthenticatorData::parse(authenticator_data, expected)?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
        .verify(&signed, signature)
        .map_err(|_| WebauthnError::Signature)?;
    // Authenticators without a counter always send 0; one that has counted must keep counting.
    if (data.sign_count != 0 || stored_count != 0) && data.sign_count <= stored_count {
        return Err(WebauthnError::Counter);
    }
    Ok(data.sign_count)
}

fn check_client_data(json: &[u8], kind: &str, expected: &Expected<'_>) -> Result<(), WebauthnError> {
    #[derive(serde::Deserialize)]
    struct ClientData {
        #[serde(rename = "type")]
        kind: String,
        challenge: String,
        origin: String,
    }
    let data: ClientData = serde_json::from_slice(json).map_err(|_| WebauthnError::Malformed("clientDataJSON"))?;
    if data.kind != kind {
        return Err(WebauthnError::Malformed("clientDataJSON type"));
    }
    let challenge = base64url(&data.challenge).ok_or(WebauthnError::Malformed("challenge"))?;
    if challenge != expected.challenge {
        return Err(WebauthnError::Challenge);
    }
    if data.origin != expected.origin {
        return Err(WebauthnError::Origin(data.origin.chars().take(100).collect()));
    }
    Ok(())
}

/// Decodes unpadded (or padded) base64url, as WebAuthn and its JSON use.
pub fn base64url(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

pub fn to_base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

struct Attested {
    id: Vec<u8>,
    public_key: Vec<u8>,
}

struct AuthenticatorData {
    sign_count: u32,
    attested: Option<Attested>,
}

impl AuthenticatorData {
    const USER_PRESENT: u8 = 0x01;
    const USER_VERIFIED: u8 = 0x04;
    const ATTESTED: u8 = 0x40;

    fn parse(bytes: &[u8], expected: &Expected<'_>) -> Result<Self, WebauthnError> {
        let short = WebauthnError::Malformed("authenticator data too short");
        let (rp_id_hash, rest) = bytes.split_at_checked(32).ok_or(short.clone())?;
        if rp_id_hash != Sha256::digest(expected.rp_id.as_bytes()).as_slice() {
            return Err(WebauthnError::RelyingParty);
        }
        let (&flags, rest) = rest.split_first().ok_or(short.clone())?;
        let (count, rest) = rest.split_at_checked(4).ok_or(short.clone())?;
        if flags & Self::USER_PRESENT == 0 {
            return Err(WebauthnError::NotPresent);
        }
        if expected.user_verification && flags & Self::USER_VERIFIED == 0 {
            return Err(WebauthnError::NotVerified);
        }
        let sign_count = u32::from_be_bytes([count[0], count[1], count[2], count[3]]);
        let attested = if flags & Self::ATTESTED != 0 {
            // AAGUID (16), credential id length (2), credential id, COSE public key.
            let (_aaguid, rest) = rest.split_at_checked(16).ok_or(short.clone())?;
            let (len, rest) = rest.split_at_checked(2).ok_or(short.clone())?;
            let (id, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes([len[0], len[1]]))).ok_or(short)?;
            let (key, _extensions) = Cbor::decode_prefix(rest)?;
            Some(Attested { id: id.to_vec(), public_key: es256_point(&key)? })
        } else {
            None
        };
        Ok(Self { sign_count, attested })
    }
}

/// The uncompressed P-256 point of an ES256 COSE key (kty 2, alg -7, crv 1, x, y).
fn es256_point(key: &Cbor) -> Result<Vec<u8>, WebauthnError> {
    let int = |label: i64| key.get_int_key(label).and_then(Cbor::int);
    if int(1) != Some(2) || int(3) != Some(ES256) || int(-1) != Some(1) {
        return Err(WebauthnError::Algorithm);
    }
    let coordinate = |label| key.get_int_key(label).and_then(Cbor::bytes).filter(|b| b.len() == 32);
    let (Some(x), Some(y)) = (coordinate(-2), coordinate(-3)) else {
        return Err(WebauthnError::Malformed("public key coordinates"));
    };
    Ok([&[0x04][..], x, y].concat())
}

/// The part of CBOR (RFC 8949) that WebAuthn uses: integers, byte and text strings, arrays,
/// maps, and the simple values; no indefinite lengths, tags or floats.
#[derive(Debug, Clone, PartialEq)]
enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(Cbor, Cbor)>),
    Simple(u8),
}

impl Cbor {
    /// Nesting deeper than this is not WebAuthn; refusing it bounds the recursion.
    const MAX_DEPTH: usize = 16;

    fn decode(bytes: &[u8]) -> Result<Cbor, WebauthnError> {
        Self::decode_prefix(bytes).map(|(value, _)| value)
    }

    fn decode_prefix(bytes: &[u8]) -> Result<(Cbor, &[u8]), WebauthnError> {
        Self::item(bytes, 0)
    }

    fn item(bytes: &[u8], depth: usize) -> Result<(Cbor, &[u8]), WebauthnError> {
        let bad = WebauthnError::Malformed("CBOR");
        if depth > Self::MAX_DEPTH {
            return Err(bad);
        }
        let (&first, rest) = bytes.split_first().ok_or(bad.clone())?;
        let (major, info) = (first >> 5, first & 0x1f);
        let (arg, mut rest) = match info {
            0..=23 => (u64::from(info), rest),
            24..=27 => {
                let n = 1usize << (info - 24);
                let (raw, rest) = rest.split_at_checked(n).ok_or(bad.clone())?;
                (raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)), rest)
            }
            _ => return Err(bad),
        };
        let len = |n: u64| usize::try_from(n).ok().filter(|n| *n <= bytes.len());
        let value = match major {
            0 => Cbor::Int(i64::try_from(arg).map_err(|_| bad.clone())?),
            1 => Cbor::Int(-1 - i64::try_from(arg).map_err(|_| bad.clone())?),
            2 | 3 => {
                let (raw, tail) = rest.split_at_checked(len(arg).ok_or(bad.clone())?).ok_or(bad.clone())?;
                rest = tail;
                if major == 2 {
                    Cbor::Bytes(raw.to_vec())
                } else {
                    Cbor::Text(String::from_utf8(raw.to_vec()).map_err(|_| bad.clone())?)
                }
            }
            4 => {
                let mut items = Vec::new();
                for _ in 0..len(arg).ok_or(bad.clone())? {
                    let (item, tail) = Self::item(rest, depth + 1)?;
                    items.push(item);
                    rest = tail;
                }
                Cbor::Array(items)
            }
            5 => {
                let mut pairs = Vec::new();
                for _ in 0..len(arg).ok_or(bad.clone())? {
                    let (key, tail) = Self::item(rest, depth + 1)?;
                    let (value, tail) = Self::item(tail, depth + 1)?;
                    pairs.push((key, value));
                    rest = tail;
                }
                Cbor::Map(pairs)
            }
            7 if info < 24 => Cbor::Simple(info),
            _ => return Err(bad),
        };
        Ok((value, rest))
    }

    fn get(&self, wanted: &Cbor) -> Option<&Cbor> {
        match self {
            Cbor::Map(pairs) => pairs.iter().find(|(k, _)| k == wanted).map(|(_, v)| v),
            _ => None,
        }
    }

    fn get_text_key(&self, key: &str) -> Option<&Cbor> {
        self.get(&Cbor::Text(key.to_owned()))
    }

    fn get_int_key(&self, key: i64) -> Option<&Cbor> {
        self.get(&Cbor::Int(key))
    }

    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Cbor::Bytes(b) => Some(b),
            _ => None,
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Cbor::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// A software authenticator for tests: builds what a browser would send, signed with a real
/// P-256 key, so the checks above (and the service's ceremonies) are tested end to end.
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::unwrap_used, clippy::expect_used, missing_debug_implementations)]
pub mod testing {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
    use sha2::{Digest, Sha256};

    use super::{ES256, to_base64url};

    /// A software authenticator: builds what a browser would send, signed with a real key.
    pub struct Authenticator {
        key: EcdsaKeyPair,
        rng: SystemRandom,
        count: u32,
        id: [u8; 16],
    }

    pub fn head(major: u8, n: usize) -> Vec<u8> {
        match n {
            0..=23 => vec![(major << 5) | n as u8],
            24..=255 => vec![(major << 5) | 24, n as u8],
            _ => vec![(major << 5) | 25, (n >> 8) as u8, n as u8],
        }
    }

    pub fn int(i: i64) -> Vec<u8> {
        if i >= 0 { head(0, i as usize) } else { head(1, (-1 - i) as usize) }
    }

    pub fn bytes(b: &[u8]) -> Vec<u8> {
        [head(2, b.len()), b.to_vec()].concat()
    }

    pub fn text(t: &str) -> Vec<u8> {
        [head(3, t.len()), t.as_bytes().to_vec()].concat()
    }

    impl Authenticator {
        pub fn new() -> Self {
            let rng = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
            let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).expect("key");
            let mut id = [0u8; 16];
            ring::rand::SecureRandom::fill(&rng, &mut id).expect("random");
            Self { key, rng, count: 0, id }
        }

        /// The credential id its registration reports.
        pub fn credential_id(&self) -> &[u8] {
            &self.id
        }

        pub fn public_key(&self) -> Vec<u8> {
            self.key.public_key().as_ref().to_vec()
        }

        fn cose_key(&self) -> Vec<u8> {
            let point = self.key.public_key().as_ref();
            [
                head(5, 5),
                int(1),
                int(2),
                int(3),
                int(ES256),
                int(-1),
                int(1),
                int(-2),
                bytes(&point[1..33]),
                int(-3),
                bytes(&point[33..]),
            ]
            .concat()
        }

        fn auth_data(&mut self, rp: &str, flags: u8, attested: bool) -> Vec<u8> {
            self.count += 1;
            let mut data = Sha256::digest(rp.as_bytes()).to_vec();
            data.push(flags | if attested { 0x40 } else { 0 });
            data.extend_from_slice(&self.count.to_be_bytes());
            if attested {
                data.extend_from_slice(&[0; 16]);
                data.extend_from_slice(&[0, 16]);
                data.extend_from_slice(&self.id);
                data.extend_from_slice(&self.cose_key());
            }
            data
        }

        pub fn client_data(kind: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
            format!(
                r#"{{"type":"{kind}","challenge":"{}","origin":"{origin}","crossOrigin":false}}"#,
                to_base64url(challenge)
            )
            .into_bytes()
        }

        /// A registration's `clientDataJSON` and attestation object for `rp` at `origin`.
        pub fn create(&mut self, rp: &str, origin: &str, challenge: &[u8]) -> (Vec<u8>, Vec<u8>) {
            let auth = self.auth_data(rp, 0x05, true);
            let object =
                [head(5, 3), text("fmt"), text("none"), text("attStmt"), head(5, 0), text("authData"), bytes(&auth)]
                    .concat();
            (Self::client_data("webauthn.create", challenge, origin), object)
        }

        /// An assertion's `clientDataJSON`, authenticator data and signature, with `flags`
        /// (0x01 present, 0x04 verified).
        pub fn get(&mut self, rp: &str, challenge: &[u8], origin: &str, flags: u8) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
            let client = Self::client_data("webauthn.get", challenge, origin);
            let auth = self.auth_data(rp, flags, false);
            let signed = [auth.clone(), Sha256::digest(&client).to_vec()].concat();
            let signature = self.key.sign(&self.rng, &signed).expect("sign").as_ref().to_vec();
            (client, auth, signature)
        }
    }

    impl Default for Authenticator {
        fn default() -> Self {
            Self::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Authenticator, bytes, head, text};
    use super::*;

    const ORIGIN: &str = "https://haven.example.org";
    const RP: &str = "haven.example.org";

    fn expected(challenge: &[u8], user_verification: bool) -> Expected<'_> {
        Expected { challenge, origin: ORIGIN, rp_id: RP, user_verification }
    }

    #[test]
    fn a_passkey_registers_and_signs_in_and_its_counter_must_grow() {
        let mut device = Authenticator::new();
        let (client, object) = device.create(RP, ORIGIN, b"register-challenge");
        let credential = register(&client, &object, &expected(b"register-challenge", true)).expect("register");
        assert_eq!((credential.id.as_slice(), credential.public_key.len()), (device.credential_id(), 65));
        assert_eq!(credential.public_key, device.public_key());

        let (client, auth, signature) = device.get(RP, b"sign-in", ORIGIN, 0x05);
        let check = |count| {
            authenticate(&client, &auth, &signature, &credential.public_key, count, &expected(b"sign-in", true))
        };
        assert_eq!(check(credential.sign_count), Ok(2));
        assert_eq!(check(2), Err(WebauthnError::Counter), "a replayed or cloned counter");
    }

    #[test]
    fn wrong_challenge_origin_party_presence_verification_or_signature_are_refused() {
        let mut device = Authenticator::new();
        let (client, object) = device.create(RP, ORIGIN, b"c1");
        assert_eq!(register(&client, &object, &expected(b"c2", false)), Err(WebauthnError::Challenge));
        let mut other_rp = expected(b"c1", false);
        other_rp.rp_id = "evil.example";
        assert_eq!(register(&client, &object, &other_rp), Err(WebauthnError::RelyingParty));
        let key = register(&client, &object, &expected(b"c1", false)).expect("register").public_key;

        let (client, auth, signature) = device.get(RP, b"c3", "https://evil.example", 0x05);
        let e = authenticate(&client, &auth, &signature, &key, 0, &expected(b"c3", false));
        assert!(matches!(e, Err(WebauthnError::Origin(_))), "{e:?}");
        let (client, auth, signature) = device.get(RP, b"c4", ORIGIN, 0x01);
        assert_eq!(
            authenticate(&client, &auth, &signature, &key, 0, &expected(b"c4", true)),
            Err(WebauthnError::NotVerified)
        );
        assert!(authenticate(&client, &auth, &signature, &key, 0, &expected(b"c4", false)).is_ok());
        let (client, auth, signature) = device.get(RP, b"c5", ORIGIN, 0x00);
        assert_eq!(
            authenticate(&client, &auth, &signature, &key, 0, &expected(b"c5", false)),
            Err(WebauthnError::NotPresent)
        );
        let (client, auth, mut signature) = device.get(RP, b"c6", ORIGIN, 0x05);
        let last = signature.len() - 1;
        signature[last] ^= 1;
        assert_eq!(
            authenticate(&client, &auth, &signature, &key, 0, &expected(b"c6", false)),
            Err(WebauthnError::Signature)
        );
        let stranger = Authenticator::new().public_key();
        let (client, auth, signature) = device.get(RP, b"c7", ORIGIN, 0x05);
        assert_eq!(
            authenticate(&client, &auth, &signature, &stranger, 0, &expected(b"c7", false)),
            Err(WebauthnError::Signature)
        );
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        let e = expected(b"c", false);
        for garbage in [&b""[..], b"{", b"\xff\xff", &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]] {
            assert!(register(garbage, garbage, &e).is_err());
            assert!(authenticate(garbage, garbage, garbage, garbage, 0, &e).is_err());
        }
        // Deep nesting, huge declared lengths, truncated items.
        let deep = vec![0x81; 10_000];
        assert!(Cbor::decode(&deep).is_err());
        assert!(Cbor::decode(&[0x5a, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Cbor::decode(&[0xa1, 0x01]).is_err());
        let client = Authenticator::client_data("webauthn.create", b"c", ORIGIN);
        let object = [head(5, 1), text("authData"), bytes(&[0; 10])].concat();
        assert_eq!(register(&client, &object, &e), Err(WebauthnError::Malformed("authenticator data too short")));
    }
}

//! Verifying an OpenID Connect ID token (a JWS in compact form): the signature with the
//! provider's published keys (RS256 or ES256, the algorithms providers use), then issuer,
//! audience, expiry and nonce. Pure: the caller fetches the keys and supplies the time.
//! Also signing with a shared secret (HS256), which is how Jitsi Meet servers accept room tokens.

use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;

use crate::webauthn::{base64url, to_base64url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the ID token is malformed: {0}")]
    Malformed(&'static str),
    #[error("the ID token is signed with {0}, which is not accepted")]
    Algorithm(String),
    #[error("the ID token is signed with a key the provider does not publish")]
    UnknownKey,
    #[error("the ID token's signature does not verify")]
    Signature,
    #[error("the ID token is for another {0}")]
    Claim(&'static str),
    #[error("the ID token has expired")]
    Expired,
}

/// One key of a provider's JWK set (only the members used here).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    #[serde(default)]
    pub crv: Option<String>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
}

/// What the ID token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Seconds since the epoch.
    pub now: i64,
}

/// The claims Haven uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: Option<bool>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Registered {
    aud: Audience,
    #[serde(default)]
    azp: Option<String>,
    exp: i64,
    #[serde(default)]
    nonce: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Clock difference tolerated between the provider and this server.
const LEEWAY_SECONDS: i64 = 60;

/// Whether the key set names a key for this token (false means: fetch the set again).
pub fn has_key(token: &str, keys: &[Jwk]) -> bool {
    let Some(header) = token.split('.').next().and_then(base64url) else { return false };
    let Ok(header) = serde_json::from_slice::<Header>(&header) else { return false };
    keys.iter().any(|k| header.kid.is_none() || k.kid == header.kid)
}

pub fn verify(token: &str, keys: &[Jwk], expected: &Expected<'_>) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("not three parts"));
    };
    let decode = |part: &str, what| base64url(part).ok_or(JwtError::Malformed(what));
    let header: Header =
        serde_json::from_slice(&decode(header_b64, "header")?).map_err(|_| JwtError::Malformed("header"))?;
    let signature = decode(signature_b64, "signature")?;
    let signed = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    let candidates = keys.iter().filter(|k| header.kid.is_none() || k.kid == header.kid);
    let mut any = false;
    let mut verified = false;
    for key in candidates {
        any = true;
        if verify_with(&header.alg, key, signed, &signature)? {
            verified = true;
            break;
        }
    }
    if !any {
        return Err(JwtError::UnknownKey);
    }
    if !verified {
        return Err(JwtError::Signature);
    }
    let payload = decode(payload_b64, "payload")?;
    let registered: Registered = serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed("claims"))?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed("claims"))?;
    if claims.iss != expected.issuer {
        return Err(JwtError::Claim("issuer"));
    }
    let audience_ok = match &registered.aud {
        Audience::One(a) => a == expected.client_id,
        Audience::Many(all) => {
            all.iter().any(|a| a == expected.client_id)
                && (all.len() == 1 || registered.azp.as_deref() == Some(expected.client_id))
        }
    };
    if !audience_ok {
        return Err(JwtError::Claim("client"));
    }
    if registered.exp + LEEWAY_SECONDS <= expected.now {
        return Err(JwtError::Expired);
    }
    if registered.nonce.as_deref() != Some(expected.nonce) {
        return Err(JwtError::Claim("sign-in (nonce)"));
    }
    Ok(claims)
}

/// Ok(false): this key does not verify it (another key may).
fn verify_with(alg: &str, key: &Jwk, signed: &[u8], signature: &[u8]) -> Result<bool, JwtError> {
    let part = |v: &Option<String>, what| v.as_deref().and_then(base64url).ok_or(JwtError::Malformed(what));
    match (alg, key.kty.as_str()) {
        ("RS256", "RSA") => {
            let (n, e) = (part(&key.n, "key modulus")?, part(&key.e, "key exponent")?);
            let components = RsaPublicKeyComponents { n: &n, e: &e };
            Ok(components.verify(&signature::RSA_PKCS1_2048_8192_SHA256, signed, signature).is_ok())
        }
        ("ES256", "EC") if key.crv.as_deref() == Some("P-256") => {
            let (x, y) = (part(&key.x, "key x")?, part(&key.y, "key y")?);
            let point = [&[0x04][..], &x, &y].concat();
            Ok(UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &point).verify(signed, signature).is_ok())
        }
        ("RS256" | "ES256", _) => Ok(false),
        (other, _) => Err(JwtError::Algorithm(other.chars().take(20).collect())),
    }
}

/// A compact HS256 token over `claims` (a JSON object) with a shared secret.
pub fn sign_hs256(claims: &serde_json::Value, secret: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let header = to_base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = to_base64url(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let Ok(mut mac) = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", to_base64url(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    use super::*;
    use crate::webauthn::to_base64url;

    struct Signer {
        key: EcdsaKeyPair,
        rng: SystemRandom,
    }

    impl Signer {
        fn new() -> Self {
            let rng = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
            let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).expect("key");
            Self { key, rng }
        }

        fn jwk(&self, kid: &str) -> Jwk {
            let point = self.key.public_key().as_ref();
            Jwk {
                kty: "EC".into(),
                kid: Some(kid.into()),
                n: None,
                e: None,
                crv: Some("P-256".into()),
                x: Some(to_base64url(&point[1..33])),
                y: Some(to_base64url(&point[33..])),
            }
        }

        fn token(&self, alg: &str, kid: &str, claims: serde_json::Value) -> String {
            let header = to_base64url(serde_json::json!({ "alg": alg, "kid": kid }).to_string().as_bytes());
            let payload = to_base64url(claims.to_string().as_bytes());
            let signed = format!("{header}.{payload}");
            let signature = self.key.sign(&self.rng, signed.as_bytes()).expect("sign");
            format!("{signed}.{}", to_base64url(signature.as_ref()))
        }
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({
            "iss": "https://id.example.org", "sub": "248289761001", "aud": "haven", "exp": 2_000_000_000i64,
            "nonce": "n-0S6", "email": "rosa@calmwaters.example", "email_verified": true
        })
    }

    const EXPECTED: Expected<'static> =
        Expected { issuer: "https://id.example.org", client_id: "haven", nonce: "n-0S6", now: 1_900_000_000 };

    #[test]
    fn a_signed_token_for_us_verifies_and_everything_else_does_not() {
        let signer = Signer::new();
        let keys = [Signer::new().jwk("old"), signer.jwk("k1")];
        let token = signer.token("ES256", "k1", claims());
        let verified = verify(&token, &keys, &EXPECTED).expect("verifies");
        assert_eq!((verified.sub.as_str(), verified.email_verified), ("248289761001", Some(true)));
        assert!(has_key(&token, &keys) && !has_key(&token, &keys[..1]));

        let with = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut c = claims();
            change(&mut c);
            verify(&signer.token("ES256", "k1", c), &keys, &EXPECTED)
        };
        assert_eq!(with(&|c| c["iss"] = "https://evil.example".into()), Err(JwtError::Claim("issuer")));
        assert_eq!(with(&|c| c["aud"] = "other".into()), Err(JwtError::Claim("client")));
        assert_eq!(with(&|c| c["aud"] = serde_json::json!(["haven", "other"])), Err(JwtError::Claim("client")));
        assert!(
            with(&|c| {
                c["aud"] = serde_json::json!(["haven", "other"]);
                c["azp"] = "haven".into()
            })
            .is_ok()
        );
        assert_eq!(with(&|c| c["exp"] = 1_899_999_000i64.into()), Err(JwtError::Expired));
        assert_eq!(with(&|c| c["nonce"] = "replayed".into()), Err(JwtError::Claim("sign-in (nonce)")));

        // Another key's signature, a tampered payload, an unknown key, a refused algorithm.
        let forged = Signer::new().token("ES256", "k1", claims());
        assert_eq!(verify(&forged, &keys, &EXPECTED), Err(JwtError::Signature));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = to_base64url(claims().to_string().replace("rosa", "eve").as_bytes());
        assert_eq!(verify(&parts.join("."), &keys, &EXPECTED), Err(JwtError::Signature));
        assert_eq!(verify(&signer.token("ES256", "k9", claims()), &keys, &EXPECTED), Err(JwtError::UnknownKey));
        assert!(matches!(verify(&signer.token("none", "k1", claims()), &keys, &EXPECTED), Err(JwtError::Algorithm(_))));
        assert_eq!(
            verify(&signer.token("HS256", "k1", claims()), &keys, &EXPECTED),
            Err(JwtError::Algorithm("HS256".into()))
        );
        for garbage in ["", "a.b", "a.b.c.d", "!!.??.##"] {
            assert!(verify(garbage, &keys, &EXPECTED).is_err());
        }
    }
}

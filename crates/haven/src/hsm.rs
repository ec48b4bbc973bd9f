//! The master key in a hardware security module, over PKCS#11 (EK-3). The token holds an
//! AES-256 key that wraps data keys (AES-GCM, the wrapping context as associated data) and an
//! Ed25519 key pair that signs certificates of destruction. Both are generated on the token as
//! sensitive and not extractable: the master key never leaves it, Haven only asks it to wrap,
//! unwrap and sign.
//!
//! The two keys share a label (the `hsm_key_label` setting) and a random `CKA_ID`, which names
//! the master key in the database as `pkcs11:<id in hex>`. A rotation brings a new key in under
//! `<label>.next-<time>`, re-wraps every data key with it, then retires the old one
//! (`<label>.retired-<time>`, kept on the token for older backups) and takes the label.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, Result, bail};
use crypto::kek::KeyEncryptionKey;
use crypto::signing::Signed;
use crypto::{CryptoError, DataKey};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as Pkcs11Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::config::Secret;

/// Where the token is and how Haven signs in to it.
#[derive(Debug, Clone)]
pub struct HsmConfig {
    /// The vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so.
    pub module: PathBuf,
    pub token: String,
    pub pin: Secret,
    pub key_label: String,
}

/// The DER encoding of the Ed25519 curve's object identifier (1.3.101.112), as `CKA_EC_PARAMS`.
const ED25519_OID: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];
/// Bound into every wrap, as the file key binds it (`crypto::kek`).
const WRAP_LABEL: &[u8] = b"haven/wrap/1";
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The opened, signed-in token, shared by every key on it. PKCS#11 sessions are not shared
/// between threads, so calls take turns on one session; a session the token dropped (a
/// restart) is opened again once.
pub struct TokenLink {
    context: Pkcs11,
    config: HsmConfig,
    slot: Slot,
    session: Mutex<Option<Session>>,
}

/// One master key on the token: its AES key and signing pair, found by their `CKA_ID`.
pub struct HsmKek {
    link: Arc<TokenLink>,
    /// `pkcs11:` and the keys' `CKA_ID` in hex.
    id: String,
    cka_id: Vec<u8>,
    public_key: [u8; 32],
}

impl std::fmt::Debug for HsmKek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmKek").field("id", &self.id).field("token", &self.link.config.token).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenLink").field("token", &self.config.token).finish_non_exhaustive()
    }
}

/// The module can be initialised once per process, so the token is opened once and shared.
static LINK: OnceLock<Arc<TokenLink>> = OnceLock::new();

/// Opens the token (once per process) and signs in.
pub fn link(config: &HsmConfig) -> Result<Arc<TokenLink>> {
    if let Some(link) = LINK.get() {
        return Ok(Arc::clone(link));
    }
    let context = Pkcs11::new(&config.module)
        .with_context(|| format!("cannot load the PKCS#11 module {}", config.module.display()))?;
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .context("the PKCS#11 module did not initialise")?;
    let slot = find_slot(&context, &config.token)?;
    let link = TokenLink { context, config: config.clone(), slot, session: Mutex::new(None) };
    *link.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(link.session()?);
    Ok(Arc::clone(LINK.get_or_init(|| Arc::new(link))))
}

fn find_slot(context: &Pkcs11, label: &str) -> Result<Slot> {
    for slot in context.get_slots_with_token().context("cannot list the PKCS#11 slots")? {
        if context.get_token_info(slot).map(|t| t.label().trim() == label).unwrap_or(false) {
            return Ok(slot);
        }
    }
    bail!("no PKCS#11 token labelled {label:?} (hsm_token)")
}

/// Where a key stands, by its label: the configured label is the current key; `<label>.next-
/// <unix seconds>` the one a rotation brings in; `<label>.retired-<time>` one it retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Coming in since this moment (unix seconds).
    Next(i64),
    Current,
    Retired,
}

impl TokenLink {
    fn session(&self) -> Result<Session> {
        let session = self.context.open_rw_session(self.slot).context("cannot open a session with the token")?;
        let pin = AuthPin::from(self.config.pin.expose().clone());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(Pkcs11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(Pkcs11Error::Pkcs11(RvError::PinIncorrect, _)) => bail!("the token refused the PIN (hsm_pin)"),
            Err(e) => Err(e).context("cannot sign in to the token"),
        }
    }

    /// Runs `call` on the session, opening a new one once if the token forgot the old.
    fn with_session<T>(&self, call: impl Fn(&Session) -> Result<T, Pkcs11Error>) -> Result<T, CryptoError> {
        let device = |e: &dyn std::fmt::Display| CryptoError::Device(e.to_string());
        let mut slot = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for attempt in 0..2 {
            if slot.is_none() {
                *slot = Some(self.session().map_err(|e| device(&format!("{e:#}")))?);
            }
            let Some(session) = slot.as_ref() else { continue };
            match call(session) {
                Err(Pkcs11Error::Pkcs11(
                    RvError::SessionHandleInvalid
                    | RvError::SessionClosed
                    | RvError::UserNotLoggedIn
                    | RvError::DeviceRemoved,
                    _,
                )) if attempt == 0 => *slot = None,
                // A wrong tag: not this key, or not this context.
                Err(Pkcs11Error::Pkcs11(RvError::EncryptedDataInvalid, _)) => return Err(CryptoError::Integrity),
                other => return other.map_err(|e| device(&e)),
            }
        }
        Err(CryptoError::Device("the token keeps dropping the session".into()))
    }

    /// How a label stands for the configured one, if it is Haven's.
    fn standing(&self, label: &str) -> Option<Standing> {
        let base = self.config.key_label.as_str();
        if label == base {
            return Some(Standing::Current);
        }
        let rest = label.strip_prefix(base)?;
        if let Some(since) = rest.strip_prefix(".next-") {
            return since.parse().ok().map(Standing::Next);
        }
        rest.starts_with(".retired-").then_some(Standing::Retired)
    }

    /// Haven's keys on the token that open data: the one a rotation brings in first (it wraps
    /// new data keys), then the current one. Retired keys are left out, as retired key files
    /// are; a restore that needs one names its label.
    pub fn keys(self: &Arc<Self>) -> Result<Vec<(Standing, Arc<HsmKek>)>> {
        let found = self
            .with_session(|session| {
                let mut found = Vec::new();
                for key in session.find_objects(&[Attribute::Class(ObjectClass::SECRET_KEY)])? {
                    let mut label = String::new();
                    let mut id = Vec::new();
                    for attribute in session.get_attributes(key, &[AttributeType::Label, AttributeType::Id])? {
                        match attribute {
                            Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                            Attribute::Id(i) => id = i,
                            _ => {}
                        }
                    }
                    found.push((label, id));
                }
                Ok(found)
            })
            .context("cannot search the token")?;
        let mut keys = Vec::new();
        for (label, id) in found {
            match self.standing(&label) {
                Some(standing @ (Standing::Next(_) | Standing::Current)) if !id.is_empty() => {
                    keys.push((standing, self.kek(&id)?));
                }
                Some(Standing::Next(_) | Standing::Current) => {
                    bail!("the key labelled {label:?} on the token has no CKA_ID; it was not made by Haven")
                }
                _ => {}
            }
        }
        keys.sort_by_key(|(standing, _)| matches!(standing, Standing::Current));
        if keys.iter().filter(|(s, _)| *s == Standing::Current).count() > 1 {
            bail!("the token holds several keys labelled {:?}; keep one", self.config.key_label);
        }
        Ok(keys)
    }

    /// Generates a master key on the token under `standing`'s label: an AES-256 key and an
    /// Ed25519 key pair, both sensitive and never extractable.
    pub fn generate(self: &Arc<Self>, standing: Standing) -> Result<Arc<HsmKek>> {
        let id = getrandom::u64().context("no randomness for the key id")?.to_be_bytes().to_vec();
        let label = self.label(standing).into_bytes();
        let private = |more: &[Attribute]| {
            let mut template = vec![
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Label(label.clone()),
                Attribute::Id(id.clone()),
            ];
            template.extend_from_slice(more);
            template
        };
        let secret = private(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(32.into()),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            Attribute::Wrap(false),
            Attribute::Unwrap(false),
            Attribute::Sign(false),
            Attribute::Verify(false),
        ]);
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(ED25519_OID.to_vec()),
            Attribute::Label(label.clone()),
            Attribute::Id(id.clone()),
        ];
        let signing = private(&[Attribute::Sign(true), Attribute::Decrypt(false), Attribute::Unwrap(false)]);
        self.with_session(|session| {
            session.generate_key(&Mechanism::AesKeyGen, &secret)?;
            session.generate_key_pair(&Mechanism::EccEdwardsKeyPairGen, &public, &signing).map(drop)
        })
        .context("the token could not generate the master key (AES-256 and Ed25519)")?;
        self.kek(&id)
    }

    /// Gives the key with `cka_id` the label of `standing` (its three objects together).
    pub fn relabel(&self, cka_id: &[u8], standing: Standing) -> Result<()> {
        let label = self.label(standing).into_bytes();
        self.with_session(|session| {
            for object in session.find_objects(&[Attribute::Id(cka_id.to_vec())])? {
                session.update_attributes(object, &[Attribute::Label(label.clone())])?;
            }
            Ok(())
        })
        .context("the token could not relabel a key")
    }

    fn label(&self, standing: Standing) -> String {
        let base = &self.config.key_label;
        match standing {
            Standing::Current => base.clone(),
            Standing::Next(since) => format!("{base}.next-{since}"),
            Standing::Retired => format!("{base}.retired-{}", jiff::Timestamp::now().as_nanosecond()),
        }
    }

    /// The key with `cka_id`, its public signing key read from the token.
    fn kek(self: &Arc<Self>, cka_id: &[u8]) -> Result<Arc<HsmKek>> {
        let point = self
            .with_session(|session| {
                let template = [Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Id(cka_id.to_vec())];
                let Some(&key) = session.find_objects(&template)?.first() else { return Ok(None) };
                Ok(session.get_attributes(key, &[AttributeType::EcPoint])?.into_iter().next())
            })
            .context("cannot read the signing key")?;
        let Some(Attribute::EcPoint(point)) = point else {
            bail!("the token holds the master key but not its signing key")
        };
        // DER octet string around the 32 bytes, or the bytes alone.
        let raw = match point.as_slice() {
            [0x04, 32, rest @ ..] => rest,
            raw => raw,
        };
        let public_key = <[u8; 32]>::try_from(raw)
            .map_err(|_| anyhow::anyhow!("the signing key on the token is not an Ed25519 key"))?;
        Ok(Arc::new(HsmKek {
            link: Arc::clone(self),
            id: format!("pkcs11:{}", crypto::hex::encode(cka_id)),
            cka_id: cka_id.to_vec(),
            public_key,
        }))
    }
}

impl HsmKek {
    /// The keys' `CKA_ID`.
    pub fn cka_id(&self) -> &[u8] {
        &self.cka_id
    }

    /// Runs `call` with this key's objects, found again each time (handles belong to a session).
    fn with_keys<T>(&self, call: impl Fn(&Session, &Handles) -> Result<T, Pkcs11Error>) -> Result<T, CryptoError> {
        self.link.with_session(|session| Handles::find(session, &self.cka_id).and_then(|h| call(session, &h)))
    }
}

/// The token's objects for one call.
struct Handles {
    secret: ObjectHandle,
    signing: ObjectHandle,
}

impl Handles {
    fn find(session: &Session, id: &[u8]) -> Result<Handles, Pkcs11Error> {
        let one = |class| -> Result<ObjectHandle, Pkcs11Error> {
            let found = session.find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])?;
            found
                .first()
                .copied()
                .ok_or(Pkcs11Error::Pkcs11(RvError::KeyHandleInvalid, cryptoki::context::Function::FindObjects))
        };
        Ok(Handles { secret: one(ObjectClass::SECRET_KEY)?, signing: one(ObjectClass::PRIVATE_KEY)? })
    }
}

fn aad(context: &[u8]) -> Vec<u8> {
    [WRAP_LABEL, context].concat()
}

impl KeyEncryptionKey for HsmKek {
    fn id(&self) -> &str {
        &self.id
    }

    fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let iv: [u8; IV_LEN] = crypto::random()?;
        let aad = aad(context);
        let sealed = self.with_keys(|session, handles| {
            let mut iv = iv;
            let params = GcmParams::new(&mut iv, &aad, (TAG_LEN as u64 * 8).into())?;
            session.encrypt(&Mechanism::AesGcm(params), handles.secret, key.expose())
        })?;
        Ok([iv.as_slice(), &sealed].concat())
    }

    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError> {
        if wrapped.len() != IV_LEN + 32 + TAG_LEN {
            return Err(CryptoError::Malformed("wrapped key has the wrong length"));
        }
        let (iv, sealed) = wrapped.split_at(IV_LEN);
        let aad = aad(context);
        let plain = self.with_keys(|session, handles| {
            let mut iv = <[u8; IV_LEN]>::try_from(iv).unwrap_or_default();
            let params = GcmParams::new(&mut iv, &aad, (TAG_LEN as u64 * 8).into())?;
            session.decrypt(&Mechanism::AesGcm(params), handles.secret, sealed).map(Zeroizing::new)
        })?;
        DataKey::from_unwrapped(&plain)
    }

    fn sign(&self, message: &[u8]) -> Result<Signed, CryptoError> {
        let signature = self.with_keys(|session, handles| {
            session.sign(&Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)), handles.signing, message)
        })?;
        let signature = <[u8; 64]>::try_from(signature.as_slice())
            .map_err(|_| CryptoError::Device("the token's signature is not 64 bytes".into()))?;
        Ok(Signed { public_key: self.public_key, signature })
    }

    fn signing_public_key(&self) -> [u8; 32] {
        self.public_key
    }
}

//! The master key in a hardware security module, over PKCS#11 (EK-3). The token holds an
//! AES-256 key that wraps data keys (AES-GCM, the wrapping context as associated data) and an
//! Ed25519 key pair that signs certificates of destruction. Both are generated on the token as
//! sensitive and not extractable: the master key never leaves it, Haven only asks it to wrap,
//! unwrap and sign.
//!
//! The two keys share a label (the `hsm_key_label` setting) and a random `CKA_ID`, which names
//! the master key in the database as `pkcs11:<id in hex>`.

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

/// The token's master key. PKCS#11 sessions are not shared between threads, so calls take
/// turns on one session; a session the token dropped (a restart) is opened again once.
pub struct HsmKek {
    context: Pkcs11,
    config: HsmConfig,
    slot: Slot,
    session: Mutex<Option<Session>>,
    /// `pkcs11:` and the keys' `CKA_ID` in hex.
    id: String,
    cka_id: Vec<u8>,
    public_key: [u8; 32],
}

impl std::fmt::Debug for HsmKek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmKek").field("id", &self.id).field("token", &self.config.token).finish_non_exhaustive()
    }
}

/// The module can be initialised once per process, so the token is opened once and shared.
static OPENED: OnceLock<Arc<HsmKek>> = OnceLock::new();

/// Whether the token already holds Haven's keys under the configured label.
pub enum Found {
    Existing(Arc<HsmKek>),
    /// Opened and signed in, but no key under the label: [`HsmKek::generate`] makes one.
    Missing(Token),
}

/// An opened, signed-in token without Haven's keys.
pub struct Token {
    context: Pkcs11,
    config: HsmConfig,
    slot: Slot,
}

/// Opens the token and looks for the master key.
pub fn open(config: &HsmConfig) -> Result<Found> {
    if let Some(opened) = OPENED.get() {
        return Ok(Found::Existing(Arc::clone(opened)));
    }
    let context = Pkcs11::new(&config.module)
        .with_context(|| format!("cannot load the PKCS#11 module {}", config.module.display()))?;
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .context("the PKCS#11 module did not initialise")?;
    let slot = find_slot(&context, &config.token)?;
    let token = Token { context, config: config.clone(), slot };
    let session = token.session()?;
    match key_id(&session, &config.key_label)? {
        Some(id) => Ok(Found::Existing(token.into_kek(session, &id)?)),
        None => Ok(Found::Missing(token)),
    }
}

fn find_slot(context: &Pkcs11, label: &str) -> Result<Slot> {
    for slot in context.get_slots_with_token().context("cannot list the PKCS#11 slots")? {
        if context.get_token_info(slot).map(|t| t.label().trim() == label).unwrap_or(false) {
            return Ok(slot);
        }
    }
    bail!("no PKCS#11 token labelled {label:?} (hsm_token)")
}

/// The `CKA_ID` of the master key stored under `label`, if there is one.
fn key_id(session: &Session, label: &str) -> Result<Option<Vec<u8>>> {
    let found = session
        .find_objects(&[Attribute::Class(ObjectClass::SECRET_KEY), Attribute::Label(label.as_bytes().to_vec())])
        .context("cannot search the token")?;
    let Some(&key) = found.first() else { return Ok(None) };
    if found.len() > 1 {
        bail!("the token holds {} secret keys labelled {label:?}; keep one", found.len());
    }
    match session.get_attributes(key, &[AttributeType::Id])?.into_iter().next() {
        Some(Attribute::Id(id)) if !id.is_empty() => Ok(Some(id)),
        _ => bail!("the key labelled {label:?} on the token has no CKA_ID; it was not made by Haven"),
    }
}

impl Token {
    fn session(&self) -> Result<Session> {
        let session = self.context.open_rw_session(self.slot).context("cannot open a session with the token")?;
        let pin = AuthPin::from(self.config.pin.expose().clone());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(Pkcs11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(Pkcs11Error::Pkcs11(RvError::PinIncorrect, _)) => bail!("the token refused the PIN (hsm_pin)"),
            Err(e) => Err(e).context("cannot sign in to the token"),
        }
    }

    /// Generates the master key on the token: an AES-256 key and an Ed25519 key pair, both
    /// sensitive and never extractable.
    pub fn generate(self) -> Result<Arc<HsmKek>> {
        let session = self.session()?;
        let id = getrandom::u64().context("no randomness for the key id")?.to_be_bytes().to_vec();
        let label = self.config.key_label.as_bytes().to_vec();
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
        session
            .generate_key(
                &Mechanism::AesKeyGen,
                &private(&[
                    Attribute::Class(ObjectClass::SECRET_KEY),
                    Attribute::KeyType(KeyType::AES),
                    Attribute::ValueLen(32.into()),
                    Attribute::Encrypt(true),
                    Attribute::Decrypt(true),
                    Attribute::Wrap(false),
                    Attribute::Unwrap(false),
                    Attribute::Sign(false),
                    Attribute::Verify(false),
                ]),
            )
            .context("the token could not generate an AES-256 key")?;
        session
            .generate_key_pair(
                &Mechanism::EccEdwardsKeyPairGen,
                &[
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::Verify(true),
                    Attribute::EcParams(ED25519_OID.to_vec()),
                    Attribute::Label(label.clone()),
                    Attribute::Id(id.clone()),
                ],
                &private(&[Attribute::Sign(true), Attribute::Decrypt(false), Attribute::Unwrap(false)]),
            )
            .context("the token could not generate an Ed25519 key pair")?;
        self.into_kek(session, &id)
    }

    fn into_kek(self, session: Session, id: &[u8]) -> Result<Arc<HsmKek>> {
        let public_key = public_key(&session, id)?;
        let kek = HsmKek {
            context: self.context,
            id: format!("pkcs11:{}", crypto::hex::encode(id)),
            cka_id: id.to_vec(),
            config: self.config,
            slot: self.slot,
            session: Mutex::new(Some(session)),
            public_key,
        };
        Ok(Arc::clone(OPENED.get_or_init(|| Arc::new(kek))))
    }
}

/// The Ed25519 public key with `id`, from its `CKA_EC_POINT` (DER octet string or raw bytes).
fn public_key(session: &Session, id: &[u8]) -> Result<[u8; 32]> {
    let found = session.find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Id(id.to_vec())])?;
    let Some(&key) = found.first() else { bail!("the token holds the master key but not its signing key") };
    let point = match session.get_attributes(key, &[AttributeType::EcPoint])?.into_iter().next() {
        Some(Attribute::EcPoint(point)) => point,
        _ => bail!("the signing key on the token has no public point"),
    };
    let raw = match point.as_slice() {
        [0x04, 32, rest @ ..] => rest,
        raw => raw,
    };
    <[u8; 32]>::try_from(raw).map_err(|_| anyhow::anyhow!("the signing key on the token is not an Ed25519 key"))
}

impl HsmKek {
    /// Runs `call` on the session, opening a new one once if the token forgot the old.
    fn with_session<T>(&self, call: impl Fn(&Session, &Handles) -> Result<T, Pkcs11Error>) -> Result<T, CryptoError> {
        let device = |e: &dyn std::fmt::Display| CryptoError::Device(e.to_string());
        let mut slot = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for attempt in 0..2 {
            if slot.is_none() {
                let token = Token { context: self.context.clone(), config: self.config.clone(), slot: self.slot };
                *slot = Some(token.session().map_err(|e| device(&format!("{e:#}")))?);
            }
            let Some(session) = slot.as_ref() else { continue };
            let result = Handles::find(session, &self.cka_id).and_then(|handles| call(session, &handles));
            match result {
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
}

/// The token's objects for one call: found again each time, since handles are per session.
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
        let sealed = self.with_session(|session, handles| {
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
        let plain = self.with_session(|session, handles| {
            let mut iv = <[u8; IV_LEN]>::try_from(iv).unwrap_or_default();
            let params = GcmParams::new(&mut iv, &aad, (TAG_LEN as u64 * 8).into())?;
            session.decrypt(&Mechanism::AesGcm(params), handles.secret, sealed).map(Zeroizing::new)
        })?;
        DataKey::from_unwrapped(&plain)
    }

    fn sign(&self, message: &[u8]) -> Result<Signed, CryptoError> {
        let signature = self.with_session(|session, handles| {
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

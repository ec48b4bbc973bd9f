//! Cryptographic erase of a practice (NIST SP 800-88 Rev. 1 "purge" by destroying the keys),
//! and the signed certificate of destruction that records it.

use crate::audit_log::{AuditEntry, Crud, Who};
use crypto::{hex, signing};
use domain::PracticeId;
use serde::{Deserialize, Serialize};

use crate::{Haven, Result, ServiceError};

pub const CERTIFICATE_FORMAT: &str = "haven-certificate-of-destruction/1";

const METHOD: &str = "NIST SP 800-88 Rev. 1 purge by cryptographic erase: every data key of the practice \
     was destroyed, so every value sealed with them is unrecoverable";

const RESIDUE: &str = "Copies of the wrapped data keys in backups or database logs taken before the erase \
     remain decryptable only with the master key that wrapped them; expire those backups or retire that master key.";

/// What was destroyed, when, by whom, with which keys. Signed as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destruction {
    pub format: String,
    pub practice_id: String,
    pub practice_name: String,
    pub erased_at: String,
    pub operator: String,
    pub method: String,
    pub destroyed_keys: Vec<DestroyedKey>,
    pub master_key_id: String,
    pub client_records_made_unreadable: u64,
    pub residual_risk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestroyedKey {
    pub id: String,
    pub purpose: String,
    pub created_at: String,
}

/// The certificate: the record plus an Ed25519 signature over its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub destruction: Destruction,
    pub public_key: String,
    pub signature: String,
}

/// The bytes that are signed: the record as compact JSON with fields in declaration order.
fn canonical(d: &Destruction) -> Result<Vec<u8>> {
    serde_json::to_vec(d).map_err(|e| ServiceError::Internal(format!("certificate encoding: {e}")))
}

impl Haven {
    /// Reasons an erase must not happen now: a legal hold in force (DL-4, DL-5). Closing an
    /// account is export first, then this; the retention periods are the operator's agreement
    /// with the practice, which the erase's typed confirmation stands for.
    pub async fn erase_blockers(&self, practice: PracticeId) -> Result<Vec<String>> {
        let mut blockers = Vec::new();
        if self.legal_hold_in_force(practice).await? {
            blockers.push("a legal hold is in force: release it on the retention page first".to_owned());
        }
        Ok(blockers)
    }

    /// The public key that checks the certificates this server signs (hex), for pinning.
    pub fn certificate_signing_key(&self) -> String {
        self.keys.kek().map(|k| hex::encode(&k.signing_public_key())).unwrap_or_default()
    }

    /// Whether the practice was cryptographically erased: no key is left that seals its data
    /// (the audit log's signing key stays with the log).
    pub(crate) async fn is_erased(&self, practice: PracticeId) -> Result<bool> {
        let keys = self.store.data_keys(practice).await?;
        Ok(keys.iter().all(|k| k.purpose == crypto::Purpose::AuditSigning.as_str()))
    }

    /// The practice's registered name, for the typed confirmation.
    pub async fn practice_name(&self, practice: PracticeId) -> Result<String> {
        Ok(self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name)
    }

    /// Destroys every data key of `practice` and returns the signed certificate. Refuses while
    /// any [`erase_blockers`](Self::erase_blockers) applies. The erase is an audit event, durable
    /// before any key goes; the log and its signing key are kept (identifiers only).
    pub async fn erase_practice(&self, practice: PracticeId, operator: &str) -> Result<Certificate> {
        let blockers = self.erase_blockers(practice).await?;
        if !blockers.is_empty() {
            return Err(ServiceError::Denied("a legal hold or retention period applies"));
        }
        let name = self.practice_name(practice).await?;
        if self.is_erased(practice).await? {
            return Err(ServiceError::Conflict(format!("practice {practice} has no keys left: it was already erased")));
        }
        let mut keys = self.store.data_keys(practice).await?;
        keys.retain(|k| k.purpose != crypto::Purpose::AuditSigning.as_str());
        let clients = self.store.client_count(practice).await?;
        let entry = AuditEntry::new("practice.erase", Crud::Delete).resource("practice", practice);
        self.audited(practice, Who::System, entry).await?;
        let destroyed = self.store.destroy_practice_keys(practice).await?;
        self.keys.forget(practice);
        tracing::warn!(%practice, keys = destroyed, operator, "practice cryptographically erased");

        let destruction = Destruction {
            format: CERTIFICATE_FORMAT.into(),
            practice_id: practice.to_string(),
            practice_name: name,
            erased_at: self.now().to_string(),
            operator: operator.into(),
            method: METHOD.into(),
            master_key_id: self.keys.kek()?.id().into(),
            destroyed_keys: keys
                .into_iter()
                .map(|k| DestroyedKey { id: k.id, purpose: k.purpose, created_at: k.created_at.to_string() })
                .collect(),
            client_records_made_unreadable: clients,
            residual_risk: RESIDUE.into(),
        };
        let signed = self
            .keys
            .kek()?
            .sign(&canonical(&destruction)?)
            .map_err(|e| ServiceError::Internal(format!("signing the certificate failed: {e}")))?;
        Ok(Certificate {
            destruction,
            public_key: hex::encode(&signed.public_key),
            signature: hex::encode(&signed.signature),
        })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    #[error("not a certificate of destruction: {0}")]
    Malformed(String),
    #[error("the signature does not match: the certificate was altered or not issued by this key")]
    BadSignature,
    #[error("signed by key {found}, not by the expected key {expected}")]
    WrongSigner { found: String, expected: String },
}

/// Checks a certificate's signature, and that its signer is `expected_key` when given.
pub fn verify_certificate(json: &str, expected_key: Option<&str>) -> Result<Destruction, CertificateError> {
    let cert: Certificate = serde_json::from_str(json).map_err(|e| CertificateError::Malformed(e.to_string()))?;
    if cert.destruction.format != CERTIFICATE_FORMAT {
        return Err(CertificateError::Malformed(format!("unknown format {:?}", cert.destruction.format)));
    }
    if let Some(expected) = expected_key
        && !expected.trim().eq_ignore_ascii_case(&cert.public_key)
    {
        return Err(CertificateError::WrongSigner { found: cert.public_key, expected: expected.trim().into() });
    }
    let public_key =
        hex::decode_array::<32>(&cert.public_key).ok_or(CertificateError::Malformed("public key".into()))?;
    let signature = hex::decode_array::<64>(&cert.signature).ok_or(CertificateError::Malformed("signature".into()))?;
    let message = serde_json::to_vec(&cert.destruction).map_err(|e| CertificateError::Malformed(e.to_string()))?;
    signing::verify(&public_key, &message, &signature).map_err(|_| CertificateError::BadSignature)?;
    Ok(cert.destruction)
}

//! Passkeys (WebAuthn): registered by a signed-in person, then used as the second step after a
//! password or, verified by the device (PIN or biometrics), as the whole sign-in. The checks are
//! `crypto::webauthn`'s; this module issues the one-time challenges and keeps the credentials.

use crate::audit_log::{AuditEntry, Crud};
use crypto::webauthn::{self, Expected, to_base64url};
use domain::PasskeyId;
use domain::policy::{Action, Resource};
use domain::validation::required_text;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use store::{ChallengePurpose, PasskeyRecord, SignInEvent, SignInEventKind, WebauthnChallenge};

use crate::{Actor, Haven, Remote, Result, ServiceError, SignIn, secrets};

/// How long the browser has to answer a challenge.
pub(crate) const CHALLENGE_LIFETIME: SignedDuration = SignedDuration::from_mins(5);

/// Who the passkeys are for, as the browser sees it: the page's origin and its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    /// e.g. `https://haven.example.org`
    pub origin: String,
    /// e.g. `haven.example.org` (a host name; WebAuthn does not take IP addresses).
    pub id: String,
}

/// What the browser needs for `navigator.credentials.create/get` (`public_key`, binary values
/// in base64url), and the id to send back with the answer.
#[derive(Debug, Clone)]
pub struct PasskeyOptions {
    pub challenge_id: String,
    pub public_key: serde_json::Value,
}

/// The browser's answer, binary values in base64url as it sends them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PasskeyAnswer {
    pub challenge_id: String,
    pub credential_id: String,
    pub client_data_json: String,
    /// Registration only.
    #[serde(default)]
    pub attestation_object: String,
    /// Sign-in only.
    #[serde(default)]
    pub authenticator_data: String,
    #[serde(default)]
    pub signature: String,
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

fn refused(e: webauthn::WebauthnError) -> ServiceError {
    ServiceError::PasskeyRefused(e.to_string())
}

fn decoded(field: &str) -> Result<Vec<u8>> {
    webauthn::base64url(field).ok_or_else(|| ServiceError::PasskeyRefused("the response is malformed".into()))
}

/// Who a new passkey is for, as the device will list it.
pub(crate) struct PasskeyUser<'a> {
    /// The relying party's name on the device ("Haven", "Client portal").
    pub site: &'a str,
    pub id: &'a [u8],
    pub name: &'a str,
    pub display_name: &'a str,
}

/// What `navigator.credentials.create` needs to make a discoverable, verified ES256 passkey
/// for `user`, none of `exclude` (the credential ids it has) again.
pub(crate) fn creation_options(
    challenge: &[u8],
    rp: &RelyingParty,
    user: &PasskeyUser<'_>,
    exclude: &[String],
) -> serde_json::Value {
    json!({
        "challenge": to_base64url(challenge),
        "rp": { "id": rp.id, "name": user.site },
        "user": { "id": to_base64url(user.id), "name": user.name, "displayName": user.display_name },
        "pubKeyCredParams": [{ "type": "public-key", "alg": webauthn::ES256 }],
        "authenticatorSelection": { "residentKey": "required", "userVerification": "required" },
        "excludeCredentials": exclude.iter().map(|id| json!({ "type": "public-key", "id": id })).collect::<Vec<_>>(),
        "attestation": "none",
        "timeout": CHALLENGE_LIFETIME.as_millis(),
    })
}

/// What `navigator.credentials.get` needs: one of `allow` (any of the site's when empty), the
/// person verified by the device when `verify`.
pub(crate) fn request_options(
    challenge: &[u8],
    rp: &RelyingParty,
    allow: &[String],
    verify: bool,
) -> serde_json::Value {
    json!({
        "challenge": to_base64url(challenge),
        "rpId": rp.id,
        "allowCredentials": allow.iter().map(|id| json!({ "type": "public-key", "id": id })).collect::<Vec<_>>(),
        "userVerification": if verify { "required" } else { "preferred" },
        "timeout": CHALLENGE_LIFETIME.as_millis(),
    })
}

/// The browser's new credential, checked against `challenge` for `rp` (verified by the device).
pub(crate) fn registered(
    answer: &PasskeyAnswer,
    challenge: &[u8],
    rp: &RelyingParty,
) -> Result<webauthn::NewCredential> {
    let expected = Expected { challenge, origin: &rp.origin, rp_id: &rp.id, user_verification: true };
    webauthn::register(&decoded(&answer.client_data_json)?, &decoded(&answer.attestation_object)?, &expected)
        .map_err(refused)
}

/// The browser's signature, checked against `challenge` for `rp` and the passkey's `public_key`;
/// the authenticator's new counter, or why it is refused.
pub(crate) fn asserted(
    answer: &PasskeyAnswer,
    challenge: &[u8],
    rp: &RelyingParty,
    (public_key, sign_count): (&[u8], i64),
    user_verification: bool,
) -> Result<std::result::Result<u32, ServiceError>> {
    let expected = Expected { challenge, origin: &rp.origin, rp_id: &rp.id, user_verification };
    Ok(webauthn::authenticate(
        &decoded(&answer.client_data_json)?,
        &decoded(&answer.authenticator_data)?,
        &decoded(&answer.signature)?,
        public_key,
        u32::try_from(sign_count).unwrap_or(u32::MAX),
        &expected,
    )
    .map_err(refused))
}

impl Haven {
    pub(crate) async fn issue_challenge(
        &self,
        purpose: ChallengePurpose,
        user: Option<domain::UserId>,
    ) -> Result<WebauthnChallenge> {
        let challenge = WebauthnChallenge {
            id: secrets::random_token()?,
            purpose,
            user,
            challenge: secrets::random_bytes::<32>()?.to_vec(),
            expires_at: self.now() + CHALLENGE_LIFETIME,
        };
        self.store.insert_challenge(&challenge).await?;
        Ok(challenge)
    }

    /// The challenge `id` if it was issued for `purpose` (and `user`) and is still valid, taken
    /// so it works once; `None` otherwise (each caller says so in its own words).
    pub(crate) async fn take_challenge(
        &self,
        id: &str,
        purpose: ChallengePurpose,
        user: Option<domain::UserId>,
    ) -> Result<Option<WebauthnChallenge>> {
        if !secrets::well_formed(id) {
            return Ok(None);
        }
        let challenge = self.store.take_challenge(id, self.now()).await?;
        Ok(challenge.filter(|c| c.purpose == purpose && c.user == user))
    }

    /// A passkey challenge, or the refusal of an expired or foreign one.
    async fn take_passkey_challenge(
        &self,
        id: &str,
        purpose: ChallengePurpose,
        user: Option<domain::UserId>,
    ) -> Result<WebauthnChallenge> {
        let expired = || ServiceError::PasskeyRefused("the request expired; please try again".into());
        self.take_challenge(id, purpose, user).await?.ok_or_else(expired)
    }

    /// Starts registering a passkey for the actor.
    pub async fn begin_passkey_registration(&self, actor: &Actor, rp: &RelyingParty) -> Result<PasskeyOptions> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let challenge = self.issue_challenge(ChallengePurpose::Register, Some(actor.user())).await?;
        let user = self.store.user(actor.user()).await?.ok_or(ServiceError::Unauthenticated)?;
        let exclude: Vec<String> =
            self.store.passkeys_of(actor.user()).await?.into_iter().map(|k| k.credential_id).collect();
        let user_id = *actor.user().as_uuid().as_bytes();
        let who =
            PasskeyUser { site: "Haven", id: &user_id, name: user.email.as_str(), display_name: actor.display_name() };
        let public_key = creation_options(&challenge.challenge, rp, &who, &exclude);
        Ok(PasskeyOptions { challenge_id: challenge.id, public_key })
    }

    /// Checks the browser's answer and keeps the passkey under `name`.
    pub async fn finish_passkey_registration(
        &self,
        actor: &Actor,
        rp: &RelyingParty,
        name: &str,
        answer: &PasskeyAnswer,
    ) -> Result<PasskeyInfo> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let name = required_text(name, 80).unwrap_or_else(|_| "Passkey".to_owned());
        let challenge =
            self.take_passkey_challenge(&answer.challenge_id, ChallengePurpose::Register, Some(actor.user())).await?;
        let credential = registered(answer, &challenge.challenge, rp)?;
        let record = PasskeyRecord {
            id: PasskeyId::random(),
            credential_id: to_base64url(&credential.id),
            practice: actor.practice(),
            user: actor.user(),
            name,
            public_key: credential.public_key,
            sign_count: i64::from(credential.sign_count),
            created_at: self.now(),
            last_used_at: None,
        };
        let entry = AuditEntry::new("passkey.add", Crud::Create).resource("passkey", record.id);
        match self.recording_by(actor, entry)?.insert_passkey(&record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(store::StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict("this passkey is already registered".into()));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(user = %actor.user(), passkey = %record.id, "passkey registered");
        Ok(PasskeyInfo { id: record.id, name: record.name, created_at: record.created_at, last_used_at: None })
    }

    pub async fn passkeys(&self, actor: &Actor) -> Result<Vec<PasskeyInfo>> {
        actor.may(Resource::OwnAccount, Action::View)?;
        let keys = self.store.passkeys_of(actor.user()).await?;
        Ok(keys
            .into_iter()
            .map(|k| PasskeyInfo { id: k.id, name: k.name, created_at: k.created_at, last_used_at: k.last_used_at })
            .collect())
    }

    pub async fn remove_passkey(&self, actor: &Actor, id: PasskeyId) -> Result<()> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let entry = AuditEntry::new("passkey.remove", Crud::Delete).resource("passkey", id);
        if !self.recording_by(actor, entry)?.delete_passkey(actor.user(), id).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), passkey = %id, "passkey removed");
        Ok(())
    }

    /// Starts a passkey sign-in: the second step of a pending one (`pending`, offering that
    /// person's passkeys), or a whole sign-in (any passkey of this site the device holds).
    pub async fn begin_passkey_sign_in(&self, rp: &RelyingParty, pending: Option<&str>) -> Result<PasskeyOptions> {
        let (purpose, user) = match pending {
            Some(token) => (ChallengePurpose::SecondFactor, Some(self.pending_sign_in(token).await?.1.session.user)),
            None => (ChallengePurpose::SignIn, None),
        };
        let allow: Vec<_> = match user {
            Some(user) => self.store.passkeys_of(user).await?.into_iter().map(|k| k.credential_id).collect(),
            None => Vec::new(),
        };
        let challenge = self.issue_challenge(purpose, user).await?;
        let public_key = request_options(&challenge.challenge, rp, &allow, user.is_none());
        Ok(PasskeyOptions { challenge_id: challenge.id, public_key })
    }

    /// Completes a passkey sign-in begun with [`Haven::begin_passkey_sign_in`]. Alone, the
    /// passkey must have verified the person; after a password, presence is enough.
    pub async fn finish_passkey_sign_in(
        &self,
        rp: &RelyingParty,
        pending: Option<&str>,
        answer: &PasskeyAnswer,
        from: &Remote,
    ) -> Result<SignIn> {
        let pending = match pending {
            Some(token) => Some(self.pending_sign_in(token).await?),
            None => None,
        };
        let (purpose, user) = match &pending {
            Some((_, found)) => (ChallengePurpose::SecondFactor, Some(found.session.user)),
            None => (ChallengePurpose::SignIn, None),
        };
        let challenge = self.take_passkey_challenge(&answer.challenge_id, purpose, user).await?;
        let unknown = || ServiceError::PasskeyRefused("this passkey is not registered here".into());
        let key = self.store.passkey_by_credential(&answer.credential_id).await?.ok_or_else(unknown)?;
        if user.is_some_and(|u| u != key.user) {
            return Err(unknown());
        }
        let person = self.store.user(key.user).await?.ok_or_else(unknown)?;
        let now = self.now();
        let membership = self.store.memberships(key.user).await?.into_iter().find(|m| m.practice == key.practice);
        let membership = membership.ok_or_else(unknown)?;
        let event = |kind| SignInEvent {
            at: now,
            kind,
            email: person.email.as_str().to_owned(),
            user: Some(key.user),
            practice: Some(key.practice),
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        let checked = asserted(answer, &challenge.challenge, rp, (&key.public_key, key.sign_count), pending.is_none())?;
        let counted = match checked {
            Ok(count) => self.store.use_passkey(key.id, key.sign_count, i64::from(count), now).await?,
            Err(e) => {
                self.record_sign_in(&event(SignInEventKind::Failed)).await?;
                tracing::info!(user = %key.user, error = %e, "passkey refused");
                return Err(e);
            }
        };
        if !counted {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            return Err(ServiceError::PasskeyRefused("this passkey was just used; please try again".into()));
        }
        if let Some((hash, found)) = &pending {
            return self.finish_pending(hash, found, from).await;
        }
        let rules = self.store.practice(key.practice).await?.map(|p| p.rules);
        if let Some(reason) = self.disabled(&person, &membership, rules, now).await? {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            return Err(ServiceError::AccountDisabled(reason));
        }
        self.complete(&person, &membership, rules, true, event(SignInEventKind::SignedIn), from).await
    }
}

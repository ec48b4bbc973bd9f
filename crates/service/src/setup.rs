//! First run: a one-time link lets the first person create the practice and its owner.

use std::fmt;

use domain::practice::PracticeForm;
use domain::staff::OwnerForm;
use domain::validation::FieldErrors;
use domain::{PracticeId, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{NewPractice, NewSetupToken, NewUser, SetupTokenState, StoreError};

use crate::{Haven, Result, ServiceError, secrets};

/// How long a setup link stays valid. Restarting `haven serve` prints a fresh one.
pub(crate) const SETUP_LINK_TTL: SignedDuration = SignedDuration::from_hours(1);

/// A one-time setup link. The token is a secret: `Debug` does not print it.
pub struct SetupLink {
    token: String,
    pub expires_at: Timestamp,
}

impl SetupLink {
    /// The path to open, relative to the server's public URL.
    pub fn path(&self) -> String {
        format!("/setup/{}", self.token)
    }
}

impl fmt::Debug for SetupLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetupLink").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl Haven {
    /// If no practice exists yet, issues a fresh setup link and invalidates older unused ones.
    pub async fn issue_setup_link(&self) -> Result<Option<SetupLink>> {
        if self.store.practice_count().await? > 0 {
            return Ok(None);
        }
        let token = secrets::random_token()?;
        let now = self.now();
        let expires_at = now + SETUP_LINK_TTL;
        let new = NewSetupToken { token_hash: secrets::token_hash(&token), created_at: now, expires_at };
        self.store.replace_setup_token(&new).await?;
        Ok(Some(SetupLink { token, expires_at }))
    }

    pub async fn setup_link_state(&self, token: &str) -> Result<SetupTokenState> {
        if !secrets::well_formed(token) {
            return Ok(SetupTokenState::Unknown);
        }
        Ok(self.store.setup_token_state(&secrets::token_hash(token), self.now()).await?)
    }

    /// Creates the practice and its owner, consuming the setup link. Either everything is
    /// created or nothing is; a used or expired link changes nothing.
    pub async fn complete_setup(&self, token: &str, practice: &PracticeForm, owner: &OwnerForm) -> Result<PracticeId> {
        match self.setup_link_state(token).await? {
            SetupTokenState::Valid => {}
            other => return Err(ServiceError::SetupLink(other)),
        }
        let mut errors = FieldErrors::default();
        let profile = practice.validate(&mut errors);
        let known = domain::practice::identifying_words(
            &practice.practice_name,
            &practice.address_line1,
            &practice.city,
            &practice.state,
            &practice.postal_code,
        );
        let staff = owner.validate(&known, &mut errors);
        let (Some(profile), Some(staff)) = (profile, staff) else {
            return Err(ServiceError::Invalid(errors));
        };
        let now = self.now();
        let id = PracticeId::random();
        let new = NewPractice {
            id,
            profile,
            created_at: now,
            owner: NewUser {
                id: UserId::random(),
                email: staff.email,
                display_name: staff.display_name,
                password_hash: self.hashing.hash(staff.password).await?,
                created_at: now,
            },
            setup_token_hash: Some(secrets::token_hash(token)),
            data_keys: self.keys.new_practice_keys(id, now)?,
        };
        match self.store.create_practice(&new, now).await {
            Ok(()) => {
                tracing::info!(practice = %new.id, owner = %new.owner.id, "practice created through the setup link");
                Ok(new.id)
            }
            Err(StoreError::Conflict("email")) => {
                let mut errors = FieldErrors::default();
                errors.add("email", "already belongs to an account; use another address");
                Err(ServiceError::Invalid(errors))
            }
            Err(e) => Err(e.into()),
        }
    }
}

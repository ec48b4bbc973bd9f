//! Staff accounts: e-mail addresses, names and passwords as they arrive at the edge.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrors, required_text};
use crate::{Role, Secret};

/// A staff e-mail address, normalised to lower case so sign-in is case-insensitive.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// The longest address SMTP allows.
    pub const MAX_LEN: usize = 254;

    pub fn parse(value: &str) -> Result<Self, String> {
        let v = value.trim().to_lowercase();
        let Some((local, domain)) = v.split_once('@') else {
            return Err("must be an e-mail address such as name@example.org".into());
        };
        let plausible = !local.is_empty()
            && v.len() <= Self::MAX_LEN
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !v.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',');
        if plausible && !domain.contains('@') {
            Ok(Self(v))
        } else {
            Err("must be an e-mail address such as name@example.org".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({:?})", self.0)
    }
}

/// A password on its way to the hasher. Never printed, wiped when dropped.
#[derive(Clone, Debug)]
pub struct Password(Secret<String>);

impl Password {
    pub const MIN_CHARS: usize = 12;
    /// Bounds the work an attacker can make the hasher do.
    pub const MAX_BYTES: usize = 1024;
    /// Letters and digits a password must have beyond the words known about the person.
    const OWN_CHARS: usize = 8;

    /// Accepts a password for a new account (NIST 800-63B: length, not composition rules, and
    /// no guessable passwords): at least 12 characters, not the e-mail address, and estimated by
    /// zxcvbn to need more than 10^10 guesses even knowing `about` (the person's name, the
    /// practice's, …) — which turns away common and breached-style passwords, keyboard walks,
    /// repeats, dates and names, with advice on what to do instead.
    pub fn new_account(value: &str, email: &Email, about: &[&str]) -> Result<Self, String> {
        Self::new_account_for(value, email.as_str(), about)
    }

    /// [`Password::new_account`] for an address as typed, which may itself be refused: the
    /// password is judged all the same, so a form reports every problem at once.
    pub fn new_account_for(value: &str, email: &str, about: &[&str]) -> Result<Self, String> {
        let email = email.trim();
        if value.chars().count() < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if value.len() > Self::MAX_BYTES {
            return Err(format!("must be at most {} bytes", Self::MAX_BYTES));
        }
        if value.trim().eq_ignore_ascii_case(email) {
            return Err("must not be your e-mail address".into());
        }
        // The estimate's cost grows with length; a guessable password shows in its first 100
        // characters (a long repeat is found there too).
        let head: String = value.chars().take(100).collect();
        // Each word alone, without its punctuation ("Delgado," is "delgado").
        let words = about
            .iter()
            .flat_map(|a| a.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase);
        let context: Vec<String> = email.split(['@', '.']).map(str::to_owned).chain(words).collect();
        let context: Vec<&str> = context.iter().map(String::as_str).collect();
        // zxcvbn scores "Rosa Delgado Portland" highly even knowing each word (it prices the
        // spaces as random characters), so what is left without them must stand on its own.
        if own_part(&head, &context).chars().count() < Self::OWN_CHARS {
            return Err("is made of your name or the practice's name and address: add words of your own".into());
        }
        let estimate = zxcvbn::zxcvbn(&head, &context);
        if estimate.score() < zxcvbn::Score::Four {
            let advice = estimate.feedback().map(|f| f.to_string()).unwrap_or_default();
            return Err(format!("is too easy to guess. {}", advice.trim()).trim().to_owned());
        }
        Ok(Self(Secret::new(value.to_owned())))
    }

    /// A password offered at sign-in: only bounded, never judged.
    pub fn offered(value: &str) -> Option<Self> {
        (!value.is_empty() && value.len() <= Self::MAX_BYTES).then(|| Self(Secret::new(value.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// The letters and digits of `password` (lower case) left once every known word of three
/// characters or more is taken out, longest first.
fn own_part(password: &str, known: &[&str]) -> String {
    let mut rest: String = password.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    let mut words: Vec<&str> = known.iter().copied().filter(|w| w.chars().count() >= 3).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in words {
        rest = rest.replace(word, "");
    }
    rest
}

/// A new staff account, validated.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub display_name: String,
    pub email: Email,
    pub password: Password,
}

/// What a person typed into the owner-account form, before validation.
#[derive(Clone, Default, Deserialize)]
pub struct OwnerForm {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
}

impl fmt::Debug for OwnerForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerForm")
            .field("display_name", &self.display_name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

impl OwnerForm {
    /// Checks the form; the password is judged knowing the person's name and `known`, the
    /// practice's identifying words ([`crate::practice::identifying_words`]).
    pub fn validate(&self, known: &[String], errors: &mut FieldErrors) -> Option<NewStaff> {
        let display_name = errors.check("display_name", required_text(&self.display_name, 120));
        let email = errors.check("email", Email::parse(&self.email));
        let about: Vec<&str> =
            std::iter::once(self.display_name.as_str()).chain(known.iter().map(String::as_str)).collect();
        // Judged even when the address is refused, so every problem shows at once.
        let password = errors.check("password", Password::new_account_for(&self.password, &self.email, &about));
        if password.is_some() && self.password != self.password_confirm {
            errors.add("password_confirm", "does not match the password");
            return None;
        }
        Some(NewStaff { display_name: display_name?, email: email?, password: password? })
    }
}

/// A signed-in person's change of password, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

impl fmt::Debug for PasswordChangeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChangeForm(‹secret›)")
    }
}

impl PasswordChangeForm {
    /// The current password as offered and the new one, judged as at account creation knowing
    /// `about` (the person's name and the practice's identifying words); every problem at once.
    pub fn validate(&self, email: &Email, about: &[&str], errors: &mut FieldErrors) -> Option<(Password, Password)> {
        let current = Password::offered(&self.current_password);
        if current.is_none() {
            errors.add("current_password", "is required");
        }
        let new = errors.check("password", Password::new_account(&self.password, email, about));
        if new.is_some() && self.password == self.current_password {
            errors.add("password", "must differ from your current password");
            return None;
        }
        if new.is_some() && self.password != self.password_confirm {
            errors.add("password_confirm", "does not match the password");
            return None;
        }
        Some((current?, new?))
    }
}

/// A new password chosen through a reset link, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct PasswordResetForm {
    pub password: String,
    pub password_confirm: String,
}

impl fmt::Debug for PasswordResetForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordResetForm(‹secret›)")
    }
}

impl PasswordResetForm {
    /// The new password, judged as at account creation knowing `about` (the person's name and
    /// the practice's identifying words).
    pub fn validate(&self, email: &Email, about: &[&str], errors: &mut FieldErrors) -> Option<Password> {
        let new = errors.check("password", Password::new_account(&self.password, email, about))?;
        if self.password != self.password_confirm {
            errors.add("password_confirm", "does not match the password");
            return None;
        }
        Some(new)
    }
}

/// Why a staff account cannot sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisabledReason {
    /// The owner (or an administrator) deactivated it.
    Deactivated,
    /// Nobody signed in with it for the practice's number of days.
    Inactive,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deactivated => "deactivated",
            Self::Inactive => "inactive",
        }
    }
}

impl std::str::FromStr for DisabledReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Deactivated, Self::Inactive]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown reason {s:?}"))
    }
}

impl fmt::Display for DisabledReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Days without a sign-in after which a staff account is disabled: the practice chooses
/// within these bounds (default 90).
pub const INACTIVITY_DAYS: std::ops::RangeInclusive<i64> = 30..=365;

/// Whether an account last active at `last_active` has been idle longer than `days` at `now`.
/// Owners are never disabled this way: someone must be able to re-enable the others.
pub fn is_inactive(role: Role, last_active: Timestamp, days: i64, now: Timestamp) -> bool {
    let days = days.clamp(*INACTIVITY_DAYS.start(), *INACTIVITY_DAYS.end());
    role != Role::Owner && now.duration_since(last_active) > SignedDuration::from_hours(24 * days)
}

/// Who is invited, validated.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub display_name: String,
    pub email: Email,
    pub role: Role,
}

/// What the owner typed into the invitation form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteForm {
    pub display_name: String,
    pub email: String,
    pub role: String,
}

impl InviteForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<Invitee> {
        let display_name = errors.check("display_name", required_text(&self.display_name, 120));
        let email = errors.check("email", Email::parse(&self.email));
        let role = errors.check("role", self.role.parse::<Role>().map_err(|_| "choose one of the roles".to_owned()));
        Some(Invitee { display_name: display_name?, email: email?, role: role? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(Email::parse(" Owner@Example.ORG ").map(|e| e.0), Ok("owner@example.org".into()));
        for bad in ["", "owner", "@example.org", "a@b", "a@@b.org", "a b@c.org", "a@b.org."] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn password_rules() {
        let email = Email::parse("a@example.org").unwrap_or_else(|e| panic!("{e}"));
        let new = |p: &str| Password::new_account(p, &email, &["Maria Rivera"]);
        assert!(new("short").is_err());
        assert!(new("a@example.org").is_err());
        assert!(new(&"x".repeat(2000)).is_err());
        // Built from the person's and the practice's own words, however they are written.
        let practice =
            crate::practice::identifying_words("Willow Creek Therapy", "12 Alder St", "Eugene", "OR", "97401");
        let known: Vec<&str> = ["Rosa Delgado,"].into_iter().chain(practice.iter().map(String::as_str)).collect();
        for guessable in
            ["Rosa Delgado Portland", "Eugene Oregon 97401", "willow creek therapy", "delgado willow creek"]
        {
            let about: Vec<&str> =
                if guessable.contains("Portland") { vec!["Rosa Delgado", "Portland"] } else { known.clone() };
            assert!(Password::new_account(guessable, &email, &about).is_err(), "{guessable} was accepted");
        }
        // Long enough, but guessable: common passwords, walks, repeats, the person's own name.
        for weak in
            ["password1234", "qwertyuiop123", "abcabcabcabc", "mariarivera2024", "iloveyou12345", "111111111111"]
        {
            let refused = new(weak).err().unwrap_or_default();
            let own_words = weak.starts_with("maria") && refused.contains("words of your own");
            assert!(refused.starts_with("is too easy to guess") || own_words, "{weak} accepted ({refused})");
        }
        assert!(new("correct horse battery staple").is_ok());
        assert!(new("tide pools at dawn").is_ok());
        assert!(new("Vq7#mK2p!xLz").is_ok());
        assert_eq!(format!("{:?}", Password::offered("hunter2hunter2")), "Some(Password(Secret(‹redacted›)))");
    }

    #[test]
    fn inactivity_spares_owners_and_counts_whole_days() {
        let last: Timestamp = "2026-01-01T09:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
        let at = |days: i64, secs: i64| last + SignedDuration::from_hours(24 * days) + SignedDuration::from_secs(secs);
        assert!(!is_inactive(Role::Clinician, last, 90, at(90, 0)));
        assert!(is_inactive(Role::Clinician, last, 90, at(90, 1)));
        assert!(is_inactive(Role::Administrator, last, 30, at(31, 0)));
        assert!(!is_inactive(Role::Owner, last, 30, at(400, 0)));
    }

    /// A refused address does not hide a weak password: both are reported at once.
    #[test]
    fn the_owner_form_reports_every_problem_at_once() {
        let form = OwnerForm {
            display_name: "Rosa Delgado".into(),
            email: "rosa@".into(),
            password: "password1234".into(),
            password_confirm: "password1234".into(),
        };
        let mut errors = FieldErrors::default();
        assert!(form.validate(&[], &mut errors).is_none());
        assert!(errors.get("email").is_some() && errors.get("password").is_some(), "{errors}");
    }

    #[test]
    fn invite_form_names_each_bad_field() {
        let form = InviteForm { display_name: " ".into(), email: "nobody".into(), role: "janitor".into() };
        let mut errors = FieldErrors::default();
        assert!(form.validate(&mut errors).is_none());
        for field in ["display_name", "email", "role"] {
            assert!(errors.get(field).is_some(), "{field} not flagged");
        }
        let form =
            InviteForm { display_name: "Sam Lee".into(), email: "Sam@Example.org".into(), role: "scheduler".into() };
        let invitee = form.validate(&mut FieldErrors::default()).unwrap_or_else(|| panic!("refused"));
        assert_eq!((invitee.email.as_str(), invitee.role), ("sam@example.org", Role::Scheduler));
    }

    #[test]
    fn owner_form_requires_matching_confirmation() {
        let form = OwnerForm {
            display_name: "Dr. Rivera".into(),
            email: "rivera@example.org".into(),
            password: "a long enough passphrase".into(),
            password_confirm: "a different passphrase".into(),
        };
        let mut errors = FieldErrors::default();
        assert!(form.validate(&[], &mut errors).is_none());
        assert_eq!(errors.get("password_confirm"), Some("does not match the password"));
        assert!(!format!("{form:?}").contains("passphrase"));
    }
}

//! The values that cross the storage boundary.

use std::fmt;

use domain::appointment_type::AppointmentTypeSpec;
use domain::calendar::CalendarSettings;
use domain::client::{CareRole, ClientStatus};
use domain::diagnosis::DiagnosisStatus;
use domain::measures::Risk;
use domain::policy::Scope;
use domain::practice::PracticeProfile;
use domain::staff::{DisabledReason, Email};
use domain::{
    ApiTokenId, AppointmentTypeId, ClientId, DiagnosisId, GlassBreakId, InvitationId, MeasureId, NoteId, PasskeyId,
    PracticeId, Role, TimeOffId, UserId,
};
use jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupTokenState {
    Valid,
    Used,
    Expired,
    Unknown,
}

impl fmt::Display for SetupTokenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SetupTokenState::Valid => "valid",
            SetupTokenState::Used => "already used",
            SetupTokenState::Expired => "expired",
            SetupTokenState::Unknown => "not recognised",
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewSetupToken {
    /// SHA-256 of the token, hex. The token itself is never stored.
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewPractice {
    pub id: PracticeId,
    pub profile: PracticeProfile,
    pub created_at: Timestamp,
    pub owner: NewUser,
    /// The setup token that authorises this creation, if any (the demo seed has none).
    pub setup_token_hash: Option<String>,
    /// The practice's data keys, wrapped, stored in the same transaction.
    pub data_keys: Vec<WrappedKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRecord {
    pub id: PracticeId,
    pub profile: PracticeProfile,
    pub created_at: Timestamp,
    pub rules: SignInRules,
    /// Counts saves of the profile, so an edit is saved only over the version it started from.
    pub version: i64,
}

/// An accepted Business Associate Agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementAcceptance {
    pub practice: PracticeId,
    pub version: String,
    /// SHA-256 (hex) of the text that was shown.
    pub text_sha256: String,
    pub user: UserId,
    pub accepted_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
}

/// The practice's sign-in rules, set by the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRules {
    /// Everyone must sign in with a second factor.
    pub require_second_factor: bool,
    /// Minutes without activity before a session ends.
    pub idle_timeout_minutes: i64,
    /// Days without a sign-in before a staff account is disabled.
    pub inactivity_days: i64,
    /// Minutes a break of the glass opens a chart for (IA-9).
    pub break_glass_minutes: i64,
    /// Days after the session beyond which a note's signature marks a late entry (CR-4).
    pub late_entry_days: i64,
    /// The practice is a federally assisted substance use disorder program (42 CFR Part 2): its
    /// clients' SUD records are disclosed only with their written consent.
    pub part2_program: bool,
    /// Minutes without activity before a client's portal session ends (apart from staff's).
    pub client_idle_timeout_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: Timestamp,
    /// The last complete sign-in (the creation, if none yet).
    pub last_active_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
    pub disabled_reason: Option<DisabledReason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub practice: PracticeId,
    pub user: UserId,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub user: UserId,
    pub display_name: String,
    pub email: Email,
    pub role: Role,
    pub joined_at: Timestamp,
    /// The last complete sign-in (the creation, if none yet).
    pub last_active_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
    pub disabled_reason: Option<DisabledReason>,
}

/// A passkey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRecord {
    pub id: PasskeyId,
    /// The WebAuthn credential id, base64url.
    pub credential_id: String,
    pub practice: PracticeId,
    pub user: UserId,
    pub name: String,
    /// Uncompressed P-256 point.
    pub public_key: Vec<u8>,
    pub sign_count: i64,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// What a WebAuthn challenge was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    Register,
    SecondFactor,
    SignIn,
    /// A sign-in through the practice's identity provider (OpenID Connect state).
    SingleSignOn,
}

impl ChallengePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SecondFactor => "second_factor",
            Self::SignIn => "sign_in",
            Self::SingleSignOn => "single_sign_on",
        }
    }
}

impl std::str::FromStr for ChallengePurpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Register, Self::SecondFactor, Self::SignIn, Self::SingleSignOn]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown purpose {s:?}"))
    }
}

impl fmt::Display for ChallengePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A challenge issued for one WebAuthn ceremony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebauthnChallenge {
    /// Random, hex: the browser sends it back with the response.
    pub id: String,
    pub purpose: ChallengePurpose,
    /// Whose ceremony (none for a passkey sign-in, where the passkey names its person).
    pub user: Option<UserId>,
    pub challenge: Vec<u8>,
    pub expires_at: Timestamp,
}

/// An API token as stored. Its scopes are the policy's names (`practice:read`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: ApiTokenId,
    /// SHA-256 of the token, hex. The token itself was shown once.
    pub token_hash: String,
    pub practice: PracticeId,
    pub user: UserId,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// An API token with who it acts as, as looked up on every API request that carries one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenLookup {
    pub token: ApiTokenRecord,
    pub role: Role,
    pub display_name: String,
    pub user_disabled_at: Option<Timestamp>,
}

/// An invitation to join a practice, sent by e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    /// SHA-256 of the link's token, hex. The token itself is only in the e-mail.
    pub token_hash: String,
    pub practice: PracticeId,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub invited_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A link that sets a new password: e-mailed to its person, or handed over by a colleague who
/// may manage them (`requested_by`). Works once, until `expires_at`, and a newer one ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// SHA-256 of the link's token, hex. The token itself is only in the link.
    pub token_hash: String,
    pub user: UserId,
    /// The practice whose audit log records the reset.
    pub practice: PracticeId,
    pub requested_by: Option<UserId>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When it was used or replaced.
    pub ended_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the session token, hex. The token itself lives only in the cookie.
    pub token_hash: String,
    pub user: UserId,
    pub practice: PracticeId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    /// Where it was opened from (network address, browser).
    pub ip: String,
    pub user_agent: String,
    /// The password was right but the second factor is still to come: this session only
    /// completes the sign-in.
    pub pending_second_factor: bool,
}

/// A staff member's authenticator-app factor: the sealed secret, whether it was confirmed
/// with a first code, and the time step of the last code accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpFactor {
    pub practice: PracticeId,
    pub secret: Vec<u8>,
    pub confirmed_at: Option<Timestamp>,
    pub last_step: i64,
}

/// A session together with who it belongs to, as looked up on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLookup {
    pub session: SessionRecord,
    pub role: Role,
    pub display_name: String,
    pub email: Email,
    pub user_disabled_at: Option<Timestamp>,
    /// The practice requires a second factor and this person has none yet.
    pub must_set_up_second_factor: bool,
    /// The practice's idle timeout.
    pub idle_timeout_minutes: i64,
}

/// What happened at the sign-in door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInEventKind {
    SignedIn,
    /// A wrong address or password.
    Failed,
    /// Refused without checking the password: too many recent failures.
    Locked,
    SignedOut,
    /// A forgotten-password link was asked for (whether or not the address has an account);
    /// counted against the sign-in door like a failure, so links cannot be sent in bulk.
    ResetRequested,
}

impl SignInEventKind {
    pub const ALL: [SignInEventKind; 5] =
        [Self::SignedIn, Self::Failed, Self::Locked, Self::SignedOut, Self::ResetRequested];

    /// An attempt at the sign-in door that did not get in (counted against it, or refused by it).
    pub fn is_attempt(self) -> bool {
        matches!(self, Self::Failed | Self::Locked | Self::ResetRequested)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::Failed => "failed",
            Self::Locked => "locked",
            Self::SignedOut => "signed_out",
            Self::ResetRequested => "reset_requested",
        }
    }
}

impl std::str::FromStr for SignInEventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown sign-in event {s:?}"))
    }
}

impl std::fmt::Display for SignInEventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One sign-in event. `email` is the address as typed (normalized); `user` and `practice` are
/// set when it belongs to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInEvent {
    pub at: Timestamp,
    pub kind: SignInEventKind,
    pub email: String,
    pub user: Option<UserId>,
    pub practice: Option<PracticeId>,
    pub ip: String,
    pub user_agent: String,
}

/// Which of a practice's sign-in events to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInFilter {
    pub kind: Option<SignInEventKind>,
    pub email: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: u32,
}

/// Recent failures, for throttling: their number and the first and last of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// A practice data key as stored: wrapped by the master key named `master_key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub id: String,
    pub purpose: String,
    pub wrapped: Vec<u8>,
    pub master_key_id: String,
    pub created_at: Timestamp,
}

/// A client row as the database holds it: sealed values and blind indexes only. The store
/// never sees a client's personal data in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedClient {
    pub id: ClientId,
    pub given_name: Vec<u8>,
    pub family_name: Vec<u8>,
    pub date_of_birth: Vec<u8>,
    pub given_name_index: String,
    pub family_name_index: String,
    pub family_prefix_index: String,
    pub date_of_birth_index: String,
    /// Phone and e-mail, with their indexes: `None` when the client has none.
    pub phone: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub phone_index: Option<String>,
    pub email_index: Option<String>,
    pub created_at: Timestamp,
    /// The rest of the demographics, sealed as one value; `None` for a client made before it.
    pub profile: Option<Vec<u8>>,
    pub status: ClientStatus,
    /// Rises with every change the service saves (not with re-sealing under a new key).
    pub version: i64,
    pub updated_at: Option<Timestamp>,
}

/// A member of a client's care team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareTeamMember {
    pub user: UserId,
    pub role: CareRole,
    pub added_at: Timestamp,
}

/// A break of the glass: time-boxed access to a chart outside the member's caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlassBreakRecord {
    pub id: GlassBreakId,
    pub client: ClientId,
    pub user: UserId,
    /// The typed reason, sealed.
    pub reason: Vec<u8>,
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
    pub review: Option<GlassReview>,
}

/// A diagnosis as stored: the code, dates and note sealed in `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosisRecord {
    pub id: DiagnosisId,
    pub client: ClientId,
    pub detail: Vec<u8>,
    pub rank: i64,
    pub status: DiagnosisStatus,
    pub version: i64,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub updated_at: Option<Timestamp>,
}

/// An outcome measure as administered: the answers, total and band sealed in `result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRecord {
    pub id: MeasureId,
    pub client: ClientId,
    /// The instrument's short name (`PHQ-9`).
    pub instrument: String,
    pub administered_at: Timestamp,
    pub administered_by: UserId,
    pub result: Vec<u8>,
    /// The risk alert it raised, if any, and who acknowledged it when.
    pub risk: Option<Risk>,
    pub acknowledged: Option<(Timestamp, UserId)>,
}

/// A clinical note as stored: its content sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    pub id: NoteId,
    pub client: ClientId,
    pub author: UserId,
    pub template: String,
    pub content: Vec<u8>,
    pub signed: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub signed_at: Option<Timestamp>,
    pub late: bool,
    /// The supervisor asked to co-sign, and when they did.
    pub cosigner: Option<UserId>,
    pub cosigned_at: Option<Timestamp>,
}

/// One saved version of a note (`id` is the version row's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVersionRecord {
    pub id: String,
    pub version: i64,
    pub content: Vec<u8>,
    pub saved_at: Timestamp,
    pub saved_by: UserId,
}

/// An addendum to a signed note, its text sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddendumRecord {
    pub id: String,
    pub author: UserId,
    pub content: Vec<u8>,
    pub created_at: Timestamp,
}

/// The owner's verdict on a break of the glass, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlassReview {
    pub accepted: bool,
    pub by: UserId,
    pub at: Timestamp,
}

/// The blind-indexed client columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientIndex {
    GivenName,
    FamilyName,
    FamilyPrefix,
    DateOfBirth,
    Phone,
    Email,
}

impl SetupTokenState {
    /// The state of a stored token (`expires_at`, `used_at`) at `now`, or `Unknown` if no row.
    pub fn of(row: Option<(Timestamp, Option<Timestamp>)>, now: Timestamp) -> Self {
        match row {
            None => SetupTokenState::Unknown,
            Some((_, Some(_))) => SetupTokenState::Used,
            Some((expires_at, None)) if expires_at <= now => SetupTokenState::Expired,
            Some(_) => SetupTokenState::Valid,
        }
    }
}

/// A stored appointment type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentTypeRecord {
    pub id: AppointmentTypeId,
    pub spec: AppointmentTypeSpec,
    pub archived_at: Option<Timestamp>,
    /// Rises by one with every change; an update names the version it was made from.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A clinician's stored calendar settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRecord {
    pub user: UserId,
    pub settings: CalendarSettings,
    pub version: i64,
    pub updated_at: Timestamp,
    pub updated_by: UserId,
}

/// A stretch of a clinician's time off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffRecord {
    pub id: TimeOffId,
    pub user: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub label: Option<String>,
    pub created_at: Timestamp,
    pub created_by: UserId,
}

/// A client's treatment plan as stored: the content sealed, the review date plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: String,
    pub client: ClientId,
    pub content: Vec<u8>,
    pub review_on: Option<jiff::civil::Date>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub updated_by: UserId,
}

/// One saved version of a plan (`id` is the version row's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersionRecord {
    pub id: String,
    pub version: i64,
    pub content: Vec<u8>,
    pub saved_at: Timestamp,
    pub saved_by: UserId,
}

/// A document on a client's record as stored: its description and its own key sealed, its
/// kind plain (it decides who may see it). The content, sealed under its own key, is a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: String,
    pub client: ClientId,
    pub kind: domain::document::DocumentKind,
    pub detail: Vec<u8>,
    pub content_key: Vec<u8>,
    pub uploaded_at: Timestamp,
    pub uploaded_by: UserId,
}

/// A client's written consent to disclose as stored: what it says sealed, its revocation plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: String,
    pub client: ClientId,
    pub content: Vec<u8>,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub revoked: Option<(Timestamp, UserId)>,
}

/// A disclosure as stored: what went to whom, sealed; when and by whom, plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRecord {
    pub id: String,
    pub client: ClientId,
    pub consent: Option<String>,
    pub detail: Vec<u8>,
    pub disclosed_at: Timestamp,
    pub disclosed_by: UserId,
}

/// A couple or family as stored: its label sealed, its kind and members (oldest first) plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub id: String,
    pub kind: domain::group::GroupKind,
    pub label: Vec<u8>,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub members: Vec<ClientId>,
}

/// An appointment as stored: when, with whom, how and what became of it plain; the reason for
/// a cancellation sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    pub id: String,
    pub appointment_type: domain::AppointmentTypeId,
    pub clinician: UserId,
    pub clients: Vec<ClientId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub modality: domain::appointment::Modality,
    pub status: domain::appointment::Status,
    pub reason: Vec<u8>,
    pub version: i64,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub updated: Option<(Timestamp, UserId)>,
    /// The session's note, once one was started from the appointment.
    pub note: Option<domain::NoteId>,
    /// A telehealth session's video room (a random name).
    pub room: Option<String>,
    /// The recurring series it belongs to, and the local date the series' rule put it on.
    pub series: Option<(String, jiff::civil::Date)>,
    /// The practice's room an in-person session is in (a `RoomRecord`'s id).
    pub office: Option<String>,
}

/// A practice's own note template; `fields` as `domain::notes::Template::stored_fields` writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteTemplateRecord {
    pub id: String,
    pub name: String,
    pub kind: domain::notes::NoteKind,
    pub fields: String,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub archived_at: Option<Timestamp>,
}

/// One of the practice's rooms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecord {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub archived_at: Option<Timestamp>,
}

/// A client waiting for a session, with what they would accept (`domain::waitlist::Wish`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistRecord {
    pub id: String,
    pub client: ClientId,
    /// `None`: any clinician.
    pub clinician: Option<UserId>,
    /// "MO,WE" (empty: any day).
    pub weekdays: String,
    /// Local times of day, "15:00".
    pub earliest: String,
    pub latest: String,
    pub modality: Option<domain::appointment::Modality>,
    pub added_at: Timestamp,
    pub added_by: UserId,
}

/// A calendar feed found by its token: whose it is, and as whom it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLookup {
    pub practice: PracticeId,
    pub user: UserId,
    pub role: domain::Role,
    pub display_name: String,
    pub user_disabled_at: Option<Timestamp>,
}

/// A recurring series: the RRULE its sessions were booked by (each session is an appointment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRecord {
    pub id: String,
    pub rule: String,
    pub created_at: Timestamp,
    pub created_by: UserId,
}

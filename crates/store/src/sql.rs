//! SQL text shared by both backends. Parameters are written `$1`, `$2`, … (PostgreSQL's
//! form); the SQLite backend rewrites them to `?1`, `?2`, … before preparing.
//! Identifiers are TEXT (UUIDs) and times are BIGINT microseconds on both backends.

pub const SCHEMA_VERSION: &str = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
pub const RECORD_MIGRATION: &str = "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";

pub const PRACTICE_COUNT: &str = "SELECT COUNT(*) FROM practices";

pub const DELETE_UNUSED_SETUP_TOKENS: &str = "DELETE FROM setup_tokens WHERE used_at IS NULL";
pub const INSERT_SETUP_TOKEN: &str =
    "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)";
pub const SETUP_TOKEN: &str = "SELECT expires_at, used_at FROM setup_tokens WHERE token_hash = $1";
pub const CONSUME_SETUP_TOKEN: &str = "UPDATE setup_tokens SET used_at = $2 \
     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";

pub const INSERT_PRACTICE: &str = "INSERT INTO practices \
     (id, name, address_line1, address_line2, city, state, postal_code, npi, tax_id, time_zone, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub const PRACTICE: &str = "SELECT id, name, address_line1, address_line2, city, state, postal_code, \
     npi, tax_id, time_zone, created_at, require_second_factor, idle_timeout_minutes, inactivity_days, \
     break_glass_minutes, version, late_entry_days, part2_program, client_idle_timeout_minutes \
     FROM practices WHERE id = $1";
/// The profile, from the version it was loaded at.
pub const UPDATE_PRACTICE_PROFILE: &str = "UPDATE practices SET name = $3, address_line1 = $4, address_line2 = $5, \
     city = $6, state = $7, postal_code = $8, npi = $9, tax_id = $10, time_zone = $11, version = version + 1 \
     WHERE id = $1 AND version = $2";
pub const SET_SIGN_IN_RULES: &str = "UPDATE practices \
     SET require_second_factor = $2, idle_timeout_minutes = $3, inactivity_days = $4, \
     break_glass_minutes = $5, late_entry_days = $6, part2_program = $7, client_idle_timeout_minutes = $8 \
     WHERE id = $1";

pub const INSERT_USER: &str = "INSERT INTO users (id, email, display_name, password_hash, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
pub const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (practice_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)";
pub const USER_BY_EMAIL: &str = "SELECT id, email, display_name, password_hash, created_at, disabled_at, \
     COALESCE(last_active_at, created_at), disabled_reason FROM users WHERE email = $1";
pub const USER_BY_ID: &str = "SELECT id, email, display_name, password_hash, created_at, disabled_at, \
     COALESCE(last_active_at, created_at), disabled_reason FROM users WHERE id = $1";
pub const MEMBERSHIPS: &str =
    "SELECT practice_id, user_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at, practice_id";
pub const STAFF: &str = "SELECT u.id, u.display_name, u.email, m.role, m.created_at, \
     COALESCE(u.last_active_at, u.created_at), u.disabled_at, u.disabled_reason \
     FROM memberships m JOIN users u ON u.id = m.user_id \
     WHERE m.practice_id = $1 ORDER BY m.created_at, u.display_name";
pub const SET_ROLE: &str = "UPDATE memberships SET role = $3 WHERE practice_id = $1 AND user_id = $2";
/// Users are shared between practices; a practice changes only its own members.
pub const DISABLE_USER: &str = "UPDATE users SET disabled_at = $3, disabled_reason = $4 WHERE id = $2 \
     AND disabled_at IS NULL AND id IN (SELECT user_id FROM memberships WHERE practice_id = $1)";
/// Re-enabled counts as active now, or the inactivity rule would disable it again at once.
pub const ENABLE_USER: &str = "UPDATE users SET disabled_at = NULL, disabled_reason = NULL, last_active_at = $3 \
     WHERE id = $2 AND disabled_at IS NOT NULL AND id IN (SELECT user_id FROM memberships WHERE practice_id = $1)";
pub const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE practice_id = $1 AND user_id = $2";
pub const MARK_ACTIVE: &str = "UPDATE users SET last_active_at = $2 WHERE id = $1";
/// Disables every non-owner account idle longer than its practice allows (`$1` is now, in µs).
pub const DISABLE_INACTIVE: &str = "UPDATE users SET disabled_at = $1, disabled_reason = 'inactive' \
     WHERE disabled_at IS NULL AND EXISTS (SELECT 1 FROM memberships m JOIN practices p ON p.id = m.practice_id \
     WHERE m.user_id = users.id AND m.role <> 'owner' \
     AND COALESCE(users.last_active_at, users.created_at) < $1 - p.inactivity_days * 86400000000)";

pub const INSERT_PASSKEY: &str = "INSERT INTO passkeys (id, credential_id, practice_id, user_id, name, public_key, \
     sign_count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const PASSKEYS_OF: &str = "SELECT id, credential_id, practice_id, user_id, name, public_key, sign_count, \
     created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at, id";
pub const PASSKEY_BY_CREDENTIAL: &str = "SELECT id, credential_id, practice_id, user_id, name, public_key, sign_count, \
     created_at, last_used_at FROM passkeys WHERE credential_id = $1";
pub const USE_PASSKEY: &str =
    "UPDATE passkeys SET sign_count = $3, last_used_at = $4 WHERE id = $1 AND sign_count = $2";
pub const DELETE_PASSKEY: &str = "DELETE FROM passkeys WHERE user_id = $1 AND id = $2";
pub const INSERT_CHALLENGE: &str =
    "INSERT INTO webauthn_challenges (id, purpose, user_id, challenge, expires_at) VALUES ($1, $2, $3, $4, $5)";
pub const CHALLENGE: &str =
    "SELECT id, purpose, user_id, challenge, expires_at FROM webauthn_challenges WHERE id = $1 AND expires_at > $2";
pub const DELETE_CHALLENGE: &str = "DELETE FROM webauthn_challenges WHERE id = $1";
pub const DELETE_EXPIRED_CHALLENGES: &str = "DELETE FROM webauthn_challenges WHERE expires_at <= $1";

pub const INSERT_API_TOKEN: &str = "INSERT INTO api_tokens \
     (id, token_hash, practice_id, user_id, name, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const API_TOKENS_OF: &str = "SELECT id, token_hash, practice_id, user_id, name, scopes, created_at, expires_at, \
     last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 AND practice_id = $2 AND revoked_at IS NULL \
     ORDER BY created_at DESC, id";
pub const API_TOKEN: &str = "SELECT t.id, t.token_hash, t.practice_id, t.user_id, t.name, t.scopes, t.created_at, \
     t.expires_at, t.last_used_at, t.revoked_at, m.role, u.display_name, u.disabled_at FROM api_tokens t \
     JOIN memberships m ON m.practice_id = t.practice_id AND m.user_id = t.user_id \
     JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
pub const TOUCH_API_TOKEN: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1";
/// A disabled or re-enabled account's tokens: they never work again.
pub const REVOKE_USER_API_TOKENS: &str =
    "UPDATE api_tokens SET revoked_at = $3 WHERE practice_id = $1 AND user_id = $2 AND revoked_at IS NULL";
pub const REVOKE_API_TOKEN: &str = "UPDATE api_tokens SET revoked_at = $4 \
     WHERE user_id = $1 AND practice_id = $2 AND id = $3 AND revoked_at IS NULL";

/// Inviting an address again withdraws its earlier open invitations.
pub const REVOKE_OPEN_INVITATIONS: &str = "UPDATE invitations SET revoked_at = $3 \
     WHERE practice_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL";
pub const INSERT_INVITATION: &str = "INSERT INTO invitations (id, token_hash, practice_id, email, display_name, \
     role, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const OPEN_INVITATIONS: &str = "SELECT id, token_hash, practice_id, email, display_name, role, invited_by, \
     created_at, expires_at, accepted_at, revoked_at FROM invitations \
     WHERE practice_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC, id";
pub const INVITATION_BY_TOKEN: &str = "SELECT id, token_hash, practice_id, email, display_name, role, invited_by, \
     created_at, expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = $1";
pub const USE_INVITATION: &str = "UPDATE invitations SET accepted_at = $2 \
     WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2";
pub const REVOKE_INVITATION: &str = "UPDATE invitations SET revoked_at = $3 \
     WHERE practice_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL";

pub const INSERT_SESSION: &str = "INSERT INTO sessions \
     (token_hash, user_id, practice_id, created_at, last_seen_at, expires_at, ip, user_agent, pending_second_factor) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const SESSION: &str = "SELECT s.token_hash, s.user_id, s.practice_id, s.created_at, s.last_seen_at, \
     s.expires_at, s.ip, s.user_agent, s.pending_second_factor, m.role, u.display_name, u.email, u.disabled_at, \
     CASE WHEN p.require_second_factor <> 0 AND NOT EXISTS (SELECT 1 FROM totp_factors t \
     WHERE t.user_id = s.user_id AND t.confirmed_at IS NOT NULL) \
     AND NOT EXISTS (SELECT 1 FROM passkeys k WHERE k.user_id = s.user_id) THEN 1 ELSE 0 END, p.idle_timeout_minutes \
     FROM sessions s \
     JOIN practices p ON p.id = s.practice_id \
     JOIN memberships m ON m.practice_id = s.practice_id AND m.user_id = s.user_id \
     JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";
pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
pub const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";
pub const PURGE_PORTAL_SESSIONS: &str = "DELETE FROM portal_sessions WHERE expires_at <= $1";
pub const PURGE_SIGN_IN_EVENTS: &str = "DELETE FROM sign_in_events WHERE at < $1";
pub const SESSIONS_OF: &str = "SELECT token_hash, user_id, practice_id, created_at, last_seen_at, expires_at, ip, \
     user_agent, pending_second_factor FROM sessions WHERE user_id = $1 AND practice_id = $2 \
     AND pending_second_factor = 0 ORDER BY last_seen_at DESC, token_hash";

pub const INSERT_AGREEMENT: &str = "INSERT INTO agreement_acceptances \
     (practice_id, version, text_sha256, user_id, accepted_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const AGREEMENT: &str = "SELECT practice_id, version, text_sha256, user_id, accepted_at, ip, user_agent \
     FROM agreement_acceptances WHERE practice_id = $1 AND version = $2";

pub const TOTP_FACTOR: &str =
    "SELECT practice_id, secret, confirmed_at, last_step FROM totp_factors WHERE user_id = $1";
pub const DELETE_UNCONFIRMED_TOTP: &str = "DELETE FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NULL";
pub const INSERT_TOTP: &str =
    "INSERT INTO totp_factors (user_id, practice_id, secret, created_at) VALUES ($1, $2, $3, $4)";
pub const CONFIRM_TOTP: &str = "UPDATE totp_factors SET confirmed_at = $2, last_step = $3 \
     WHERE user_id = $1 AND confirmed_at IS NULL";
pub const DELETE_RECOVERY_CODES: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
pub const DELETE_TOTP: &str = "DELETE FROM totp_factors WHERE user_id = $1";
/// Matches a row only while the person has a confirmed authenticator app.
pub const HAS_CONFIRMED_TOTP: &str =
    "UPDATE totp_factors SET confirmed_at = confirmed_at WHERE user_id = $1 AND confirmed_at IS NOT NULL";
pub const INSERT_RECOVERY_CODE: &str = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
/// Accepts a step only if it is later than the last one used: a code works once, even when
/// two requests race.
pub const USE_TOTP_STEP: &str = "UPDATE totp_factors SET last_step = $2 \
     WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2";
pub const USE_RECOVERY_CODE: &str = "UPDATE recovery_codes SET used_at = $3 \
     WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
pub const SECOND_FACTOR_COVERAGE: &str = "SELECT CAST(COUNT(*) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = m.user_id \
        AND t.confirmed_at IS NOT NULL) \
      OR EXISTS (SELECT 1 FROM passkeys k WHERE k.user_id = m.user_id AND k.practice_id = m.practice_id) \
    THEN 1 ELSE 0 END), 0) AS BIGINT) \
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.practice_id = $1 AND u.disabled_at IS NULL";
pub const UNUSED_RECOVERY_CODES: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
pub const SET_PASSWORD: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
/// A person's sessions in every practice but one.
pub const END_PASSWORD_RESETS: &str =
    "UPDATE password_resets SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL";
pub const INSERT_PASSWORD_RESET: &str = "INSERT INTO password_resets \
     (token_hash, user_id, practice_id, requested_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub const PASSWORD_RESET: &str = "SELECT token_hash, user_id, practice_id, requested_by, created_at, expires_at, \
     ended_at FROM password_resets WHERE token_hash = $1";
pub const USE_PASSWORD_RESET: &str = "UPDATE password_resets SET ended_at = $2 \
     WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > $2";
/// Every session of a person, in every practice.
pub const DELETE_SESSIONS_OF: &str = "DELETE FROM sessions WHERE user_id = $1";
pub const DELETE_SESSIONS_BUT: &str = "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
pub const DELETE_OTHER_SESSIONS: &str =
    "DELETE FROM sessions WHERE user_id = $1 AND practice_id = $2 AND token_hash <> $3";

pub const INSERT_SIGN_IN_EVENT: &str = "INSERT INTO sign_in_events \
     (at, kind, email, user_id, practice_id, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const FAILURES_FOR_EMAIL: &str = "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT), MIN(at), MAX(at) FROM sign_in_events \
     WHERE email = $1 AND kind IN ('failed', 'reset_requested') AND at > $2 \
     AND at > COALESCE((SELECT MAX(at) FROM sign_in_events WHERE email = $1 AND kind = 'signed_in'), 0)";
pub const FAILURES_FROM_IP: &str = "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT), MIN(at), MAX(at) FROM sign_in_events \
     WHERE ip = $1 AND kind IN ('failed', 'reset_requested') AND at > $2";
/// An attempt for an address without an account joins the latest row of its kind from its
/// network address (and, unless a refusal, for its address) since $5, if there is one.
pub const COUNT_UNKNOWN_ATTEMPT: &str = "UPDATE sign_in_events SET attempts = attempts + 1, at = $1 \
     WHERE id = (SELECT MAX(id) FROM sign_in_events WHERE practice_id IS NULL AND kind = $2 AND ip = $4 \
     AND (kind = 'locked' OR email = $3) AND at > $5)";
/// Otherwise it is a row of its own.
pub const INSERT_UNKNOWN_ATTEMPT: &str = "INSERT INTO sign_in_events (at, kind, email, ip, user_agent) \
     SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($6 AS TEXT) \
     WHERE NOT EXISTS (SELECT 1 FROM sign_in_events WHERE practice_id IS NULL AND kind = $2 AND ip = $4 \
     AND (kind = 'locked' OR email = $3) AND at > $5)";
/// Optional conditions are written `CAST($n AS …) IS NULL OR …` so one statement serves every
/// filter on both backends (PostgreSQL needs the type of a parameter that may be NULL).
pub const SIGN_IN_EVENTS: &str = "SELECT at, kind, email, user_id, practice_id, ip, user_agent \
     FROM sign_in_events WHERE practice_id = $1 \
     AND (CAST($2 AS TEXT) IS NULL OR kind = $2) AND (CAST($3 AS TEXT) IS NULL OR email = $3) \
     AND (CAST($4 AS BIGINT) IS NULL OR at >= $4) AND (CAST($5 AS BIGINT) IS NULL OR at < $5) \
     ORDER BY at DESC, id DESC LIMIT $6";

pub const INSERT_DATA_KEY: &str = "INSERT INTO data_keys \
     (practice_id, id, purpose, wrapped, master_key_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub const DATA_KEYS: &str = "SELECT id, purpose, wrapped, master_key_id, created_at FROM data_keys \
     WHERE practice_id = $1 ORDER BY created_at, id";
// The audit signing key survives an erase: the practice's log (identifiers only) stays
// verifiable and can record the erase itself (AUDIT.md §7).
pub const DELETE_PRACTICE_KEYS: &str = "DELETE FROM data_keys WHERE practice_id = $1 AND purpose <> 'audit_signing'";
pub const DELETE_PRACTICE_SESSIONS: &str = "DELETE FROM sessions WHERE practice_id = $1";
pub const DELETE_PRACTICE_PORTAL_SESSIONS: &str = "DELETE FROM portal_sessions WHERE practice_id = $1";
pub const DELETE_PRACTICE_API_TOKENS: &str = "DELETE FROM api_tokens WHERE practice_id = $1";
pub const REWRAP_DATA_KEY: &str = "UPDATE data_keys SET wrapped = $4, master_key_id = $5 \
     WHERE practice_id = $1 AND id = $2 AND master_key_id = $3";
pub const DELETE_DATA_KEY: &str = "DELETE FROM data_keys WHERE practice_id = $1 AND id = $2";
pub const PRACTICE_IDS: &str = "SELECT id FROM practices ORDER BY id";
pub const MASTER_KEY_IDS: &str = "SELECT DISTINCT master_key_id FROM data_keys ORDER BY master_key_id";

/// `$1` … `$16` are `client_values`, as in `UPDATE_CLIENT`; then `created_at` and `version`.
pub const INSERT_CLIENT: &str = "INSERT INTO clients (practice_id, id, given_name, family_name, date_of_birth, \
     given_name_index, family_name_index, family_prefix_index, date_of_birth_index, \
     phone, email, phone_index, email_index, profile, status, updated_at, created_at, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

/// A client row's columns, in the order `sealed_client` reads them.
macro_rules! client_columns {
    ($prefix:literal) => {
        concat!(
            $prefix,
            "id, ",
            $prefix,
            "given_name, ",
            $prefix,
            "family_name, ",
            $prefix,
            "date_of_birth, ",
            $prefix,
            "given_name_index, ",
            $prefix,
            "family_name_index, ",
            $prefix,
            "family_prefix_index, ",
            $prefix,
            "date_of_birth_index, ",
            $prefix,
            "created_at, ",
            $prefix,
            "phone, ",
            $prefix,
            "email, ",
            $prefix,
            "phone_index, ",
            $prefix,
            "email_index, ",
            $prefix,
            "profile, ",
            $prefix,
            "status, ",
            $prefix,
            "version, ",
            $prefix,
            "updated_at"
        )
    };
}

/// The sealed clients of a practice whose blind index in one column equals `$2`. No ORDER BY:
/// it would tempt SQLite to walk the primary key instead of the index; callers sort.
macro_rules! clients_where {
    ($column:literal) => {
        concat!("SELECT ", client_columns!(""), " FROM clients WHERE practice_id = $1 AND ", $column, " = $2")
    };
}
pub const CLIENTS_PAGE: &str =
    concat!("SELECT ", client_columns!(""), " FROM clients WHERE practice_id = $1 AND id > $2 ORDER BY id LIMIT $3");
pub const CLIENT: &str = concat!("SELECT ", client_columns!(""), " FROM clients WHERE practice_id = $1 AND id = $2");
/// The newest clients, for the front desk's list.
pub const RECENT_CLIENTS: &str = concat!(
    "SELECT ",
    client_columns!(""),
    " FROM clients WHERE practice_id = $1 ORDER BY created_at DESC, id LIMIT $2"
);
/// The clients whose care team holds `$2`, with the member's part.
pub const CASELOAD: &str = concat!(
    "SELECT ",
    client_columns!("c."),
    ", t.role FROM care_team t JOIN clients c ON c.practice_id = t.practice_id AND c.id = t.client_id \
     WHERE t.practice_id = $1 AND t.user_id = $2"
);
/// Replaces a client's sealed values only if they are still the ones read (no lost update).
pub const RESEAL_CLIENT: &str = "UPDATE clients SET given_name = $3, family_name = $4, date_of_birth = $5, \
     phone = $6, email = $7, profile = $8 WHERE practice_id = $1 AND id = $2 AND given_name = $9 \
     AND family_name = $10 AND date_of_birth = $11 AND phone IS NOT DISTINCT FROM $12 \
     AND email IS NOT DISTINCT FROM $13 AND profile IS NOT DISTINCT FROM $14";
/// Replaces a client's blind indexes only if they are still the ones read.
pub const REINDEX_CLIENT: &str = "UPDATE clients SET given_name_index = $3, family_name_index = $4, \
     family_prefix_index = $5, date_of_birth_index = $6, phone_index = $7, email_index = $8 \
     WHERE practice_id = $1 AND id = $2 AND given_name_index = $9 AND family_name_index = $10 \
     AND family_prefix_index = $11 AND date_of_birth_index = $12 AND phone_index IS NOT DISTINCT FROM $13 \
     AND email_index IS NOT DISTINCT FROM $14";
/// Saves an edited client if it is still at the version read (`$19`), one version higher.
pub const UPDATE_CLIENT: &str = "UPDATE clients SET given_name = $3, family_name = $4, date_of_birth = $5, \
     given_name_index = $6, family_name_index = $7, family_prefix_index = $8, date_of_birth_index = $9, \
     phone = $10, email = $11, phone_index = $12, email_index = $13, profile = $14, status = $15, \
     updated_at = $16, version = version + 1 WHERE practice_id = $1 AND id = $2 AND version = $17";
/// Moves a client one version on if still at `$3` (a care-team change made from what was read).
pub const BUMP_CLIENT_VERSION: &str =
    "UPDATE clients SET version = version + 1, updated_at = $4 WHERE practice_id = $1 AND id = $2 AND version = $3";
pub const CLIENTS_BY_GIVEN_NAME: &str = clients_where!("given_name_index");
pub const CLIENTS_BY_FAMILY_NAME: &str = clients_where!("family_name_index");
pub const CLIENTS_BY_FAMILY_PREFIX: &str = clients_where!("family_prefix_index");
pub const CLIENTS_BY_DATE_OF_BIRTH: &str = clients_where!("date_of_birth_index");
pub const CLIENTS_BY_PHONE: &str = clients_where!("phone_index");
pub const CLIENTS_BY_EMAIL: &str = clients_where!("email_index");

pub const CARE_TEAM: &str =
    "SELECT user_id, role, added_at FROM care_team WHERE practice_id = $1 AND client_id = $2 ORDER BY role, added_at";
pub const CLEAR_CARE_TEAM: &str = "DELETE FROM care_team WHERE practice_id = $1 AND client_id = $2";
pub const INSERT_CARE_TEAM_MEMBER: &str =
    "INSERT INTO care_team (practice_id, client_id, user_id, role, added_at) VALUES ($1, $2, $3, $4, $5)";
pub const CARE_ROLE: &str = "SELECT role FROM care_team WHERE practice_id = $1 AND client_id = $2 AND user_id = $3";

/// Break-of-the-glass rows, in the order `glass_break` reads them, with the rest of the query.
macro_rules! glass_breaks_where {
    ($rest:literal) => {
        concat!(
            "SELECT id, client_id, user_id, reason, started_at, ends_at, review, reviewed_by, reviewed_at \
             FROM glass_breaks WHERE practice_id = $1 ",
            $rest
        )
    };
}
pub const INSERT_GLASS_BREAK: &str = "INSERT INTO glass_breaks \
     (practice_id, id, client_id, user_id, reason, started_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// The member's break of the glass on the client that is open at `$4`, latest ending first.
pub const OPEN_GLASS_BREAK: &str = glass_breaks_where!(
    "AND user_id = $2 AND client_id = $3 AND started_at <= $4 AND ends_at > $4 ORDER BY ends_at DESC LIMIT 1"
);
pub const GLASS_BREAKS: &str = glass_breaks_where!("ORDER BY started_at DESC LIMIT $2");
pub const UNREVIEWED_GLASS_BREAKS: &str = glass_breaks_where!("AND review IS NULL ORDER BY started_at");
pub const REVIEW_GLASS_BREAK: &str = "UPDATE glass_breaks SET review = $3, reviewed_by = $4, reviewed_at = $5 \
     WHERE practice_id = $1 AND id = $2 AND review IS NULL";

/// The two statements re-encryption needs for one sealed column: a page of (id, value) in id
/// order, and the replacement of a value still equal to the one read.
macro_rules! sealed_cells {
    ($table:literal, $column:literal) => {
        (
            concat!(
                "SELECT id, ",
                $column,
                " FROM ",
                $table,
                " WHERE practice_id = $1 AND id > $2 AND ",
                $column,
                " IS NOT NULL ORDER BY id LIMIT $3"
            ),
            concat!(
                "UPDATE ",
                $table,
                " SET ",
                $column,
                " = $3 WHERE practice_id = $1 AND id = $2 AND ",
                $column,
                " = $4"
            ),
        )
    };
}
pub const GLASS_BREAK_REASON_CELLS: (&str, &str) = sealed_cells!("glass_breaks", "reason");
pub const DIAGNOSIS_DETAIL_CELLS: (&str, &str) = sealed_cells!("diagnoses", "detail");
pub const MEASURE_RESULT_CELLS: (&str, &str) = sealed_cells!("measures", "result");
pub const NOTE_CONTENT_CELLS: (&str, &str) = sealed_cells!("notes", "content");
pub const PLAN_CONTENT_CELLS: (&str, &str) = sealed_cells!("treatment_plans", "content");
pub const PLAN_VERSION_CELLS: (&str, &str) = sealed_cells!("treatment_plan_versions", "content");
pub const NOTE_VERSION_CELLS: (&str, &str) = sealed_cells!("note_versions", "content");
pub const NOTE_ADDENDUM_CELLS: (&str, &str) = sealed_cells!("note_addenda", "content");

/// Notes, in the order `note` reads them, with the rest of the query.
macro_rules! notes_where {
    ($rest:literal) => {
        concat!(
            "SELECT id, client_id, author, template, content, status, version, created_at, updated_at, \
             signed_at, late, cosigner, cosigned_at FROM notes WHERE practice_id = $1 AND ",
            $rest
        )
    };
}
pub const INSERT_NOTE: &str = "INSERT INTO notes (practice_id, id, client_id, author, template, content, status, \
     version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', 1, $7, $7)";
pub const INSERT_NOTE_VERSION: &str = "INSERT INTO note_versions \
     (practice_id, id, note_id, version, content, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Saves a draft's new content if it is still a draft at the version read (`$5`), by its author.
pub const UPDATE_DRAFT: &str = "UPDATE notes SET content = $6, version = version + 1, updated_at = $7 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND author = $4 AND version = $5 AND status = 'draft'";
pub const SIGN_NOTE: &str = "UPDATE notes SET status = 'signed', signed_at = $6, late = $7, cosigner = $8 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND author = $4 AND version = $5 AND status = 'draft'";
pub const COSIGN_NOTE: &str = "UPDATE notes SET cosigned_at = $5 WHERE practice_id = $1 AND client_id = $2 \
     AND id = $3 AND cosigner = $4 AND cosigned_at IS NULL AND status = 'signed'";
pub const NOTE: &str = notes_where!("client_id = $2 AND id = $3");
pub const NOTES_OF: &str = notes_where!("client_id = $2 ORDER BY created_at DESC, id LIMIT $3");
pub const NOTES_TO_COSIGN: &str =
    notes_where!("cosigner = $2 AND cosigned_at IS NULL AND status = 'signed' ORDER BY signed_at");
pub const NOTE_VERSIONS: &str = "SELECT id, version, content, saved_at, saved_by FROM note_versions \
     WHERE practice_id = $1 AND note_id = $2 ORDER BY version";
/// An addendum attaches only to a signed note of that client.
pub const INSERT_ADDENDUM: &str = "INSERT INTO note_addenda (practice_id, id, note_id, author, content, created_at) \
     SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM notes \
     WHERE practice_id = $1 AND id = $3 AND client_id = $7 AND status = 'signed')";
pub const ADDENDA: &str = "SELECT id, author, content, created_at FROM note_addenda \
     WHERE practice_id = $1 AND note_id = $2 ORDER BY created_at, id";

pub const INSERT_MEASURE: &str = "INSERT INTO measures \
     (practice_id, id, client_id, instrument, administered_at, administered_by, result, risk) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const MEASURES_OF: &str = "SELECT id, client_id, instrument, administered_at, administered_by, result, risk, \
     acknowledged_at, acknowledged_by FROM measures WHERE practice_id = $1 AND client_id = $2 \
     ORDER BY administered_at, id";
pub const ACKNOWLEDGE_RISK: &str = "UPDATE measures SET acknowledged_at = $4, acknowledged_by = $5 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND risk IS NOT NULL AND acknowledged_at IS NULL";
/// The unacknowledged alerts of the clients in whose care `$2` has a part: (client, measure, risk).
pub const OPEN_RISKS_OF_CASELOAD: &str = "SELECT m.client_id, m.id, m.risk FROM measures m \
     JOIN care_team t ON t.practice_id = m.practice_id AND t.client_id = m.client_id \
     WHERE m.practice_id = $1 AND t.user_id = $2 AND m.risk IS NOT NULL AND m.acknowledged_at IS NULL \
     ORDER BY m.administered_at";

pub const INSERT_DIAGNOSIS: &str = "INSERT INTO diagnoses \
     (id, client_id, detail, rank, status, version, created_at, created_by, updated_at, practice_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub const DIAGNOSES_OF: &str = "SELECT id, client_id, detail, rank, status, version, created_at, created_by, \
     updated_at FROM diagnoses WHERE practice_id = $1 AND client_id = $2 ORDER BY rank, created_at";
/// Saves a changed diagnosis if still at the version read (`$7`), one version higher.
pub const UPDATE_DIAGNOSIS: &str = "UPDATE diagnoses SET detail = $4, rank = $5, status = $6, updated_at = $8, \
     version = version + 1 WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND version = $7";
pub const CLIENT_COUNT: &str = "SELECT COUNT(*) FROM clients WHERE practice_id = $1";

pub const APPOINTMENT_TYPES: &str = "SELECT id, name, minutes, service_code, place_of_service, color, billable, \
     attendance, max_clients, archived_at, version, created_at, updated_at, portal_booking FROM appointment_types \
     WHERE practice_id = $1 ORDER BY archived_at IS NOT NULL, name, id";
pub const INSERT_APPOINTMENT_TYPE: &str = "INSERT INTO appointment_types (id, practice_id, name, minutes, \
     service_code, place_of_service, color, billable, attendance, max_clients, version, created_at, updated_at, \
     portal_booking) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12)";
/// Changes a type only if it is still at the version the change was made from.
pub const UPDATE_APPOINTMENT_TYPE: &str = "UPDATE appointment_types SET name = $3, minutes = $4, \
     service_code = $5, place_of_service = $6, color = $7, billable = $8, attendance = $9, max_clients = $10, \
     updated_at = $11, portal_booking = $13, version = version + 1 WHERE practice_id = $1 AND id = $2 AND version = $12";
pub const ARCHIVE_APPOINTMENT_TYPE: &str = "UPDATE appointment_types SET archived_at = $3, updated_at = $4, \
     version = version + 1 WHERE practice_id = $1 AND id = $2";

pub const CALENDARS: &str = "SELECT user_id, time_zone, hours, breaks, buffer_minutes, offers, version, updated_at, \
     updated_by FROM calendars WHERE practice_id = $1 ORDER BY user_id";
/// Saves settings made from version `$10` (0: none saved yet); changes no row if that is stale.
pub const SAVE_CALENDAR: &str = "INSERT INTO calendars (practice_id, user_id, time_zone, hours, breaks, \
     buffer_minutes, offers, version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) \
     ON CONFLICT (practice_id, user_id) DO UPDATE SET time_zone = excluded.time_zone, hours = excluded.hours, \
     breaks = excluded.breaks, buffer_minutes = excluded.buffer_minutes, offers = excluded.offers, \
     version = calendars.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by \
     WHERE calendars.version = $10";

pub const INSERT_TIME_OFF: &str = "INSERT INTO time_off (id, practice_id, user_id, starts_at, ends_at, label, \
     created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// Time off that has not ended by `$2`, for everyone in the practice, in order.
pub const TIME_OFF: &str = "SELECT id, user_id, starts_at, ends_at, label, created_at, created_by FROM time_off \
     WHERE practice_id = $1 AND ends_at > $2 ORDER BY starts_at, id";
pub const DELETE_TIME_OFF: &str = "DELETE FROM time_off WHERE practice_id = $1 AND user_id = $2 AND id = $3";

pub const PLAN_OF: &str = "SELECT id, client_id, content, review_on, version, created_at, updated_at, updated_by \
     FROM treatment_plans WHERE practice_id = $1 AND client_id = $2";
pub const INSERT_PLAN: &str = "INSERT INTO treatment_plans \
     (practice_id, id, client_id, content, review_on, version, created_at, updated_at, updated_by) \
     VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)";
pub const UPDATE_PLAN: &str = "UPDATE treatment_plans SET content = $3, review_on = $4, version = $5, \
     updated_at = $6, updated_by = $7 WHERE practice_id = $1 AND id = $2 AND version = $5 - 1";
pub const INSERT_PLAN_VERSION: &str = "INSERT INTO treatment_plan_versions \
     (practice_id, id, plan_id, version, content, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const PLAN_VERSION: &str = "SELECT id, version, content, saved_at, saved_by FROM treatment_plan_versions \
     WHERE practice_id = $1 AND plan_id = $2 AND version = $3";
pub const PLAN_VERSIONS: &str = "SELECT id, version, content, saved_at, saved_by FROM treatment_plan_versions \
     WHERE practice_id = $1 AND plan_id = $2 ORDER BY version";
pub const PLANS_DUE: &str = "SELECT client_id, review_on FROM treatment_plans \
     WHERE practice_id = $1 AND review_on IS NOT NULL AND review_on <= $2 ORDER BY review_on, client_id";

macro_rules! document_select {
    ($where:literal) => {
        concat!(
            "SELECT id, client_id, kind, detail, content_key, uploaded_at, uploaded_by FROM documents ",
            "WHERE practice_id = $1 AND ",
            $where
        )
    };
}
pub const INSERT_DOCUMENT: &str = "INSERT INTO documents \
     (practice_id, id, client_id, kind, detail, content_key, uploaded_at, uploaded_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const DOCUMENTS_OF: &str = document_select!("client_id = $2 ORDER BY uploaded_at DESC, id");
pub const DOCUMENT: &str = document_select!("id = $2");
pub const DOCUMENT_DETAIL_CELLS: (&str, &str) = sealed_cells!("documents", "detail");
pub const DOCUMENT_KEY_CELLS: (&str, &str) = sealed_cells!("documents", "content_key");

pub const INSERT_CONSENT: &str = "INSERT INTO consents (practice_id, id, client_id, content, created_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub const CONSENTS_OF: &str = "SELECT id, client_id, content, created_at, created_by, revoked_at, revoked_by \
     FROM consents WHERE practice_id = $1 AND client_id = $2 ORDER BY created_at DESC, id";
pub const REVOKE_CONSENT: &str = "UPDATE consents SET revoked_at = $4, revoked_by = $5 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND revoked_at IS NULL";
pub const CONSENT_CELLS: (&str, &str) = sealed_cells!("consents", "content");
pub const INSERT_DISCLOSURE: &str = "INSERT INTO disclosures \
     (practice_id, id, client_id, consent_id, detail, disclosed_at, disclosed_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const DISCLOSURES_OF: &str = "SELECT id, client_id, consent_id, detail, disclosed_at, disclosed_by \
     FROM disclosures WHERE practice_id = $1 AND client_id = $2 ORDER BY disclosed_at DESC, id";
pub const DISCLOSURE_CELLS: (&str, &str) = sealed_cells!("disclosures", "detail");

pub const INSERT_GROUP: &str = "INSERT INTO client_groups (practice_id, id, kind, label, created_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub const INSERT_GROUP_MEMBER: &str =
    "INSERT INTO client_group_members (practice_id, group_id, client_id, added_at) VALUES ($1, $2, $3, $4)";
pub const DELETE_GROUP_MEMBER: &str =
    "DELETE FROM client_group_members WHERE practice_id = $1 AND group_id = $2 AND client_id = $3";
pub const GROUP: &str =
    "SELECT id, kind, label, created_at, created_by FROM client_groups WHERE practice_id = $1 AND id = $2";
pub const GROUPS_OF: &str = "SELECT g.id, g.kind, g.label, g.created_at, g.created_by FROM client_groups g \
     JOIN client_group_members m ON m.practice_id = g.practice_id AND m.group_id = g.id \
     WHERE g.practice_id = $1 AND m.client_id = $2 ORDER BY g.created_at, g.id";
pub const GROUP_MEMBERS: &str = "SELECT client_id FROM client_group_members \
     WHERE practice_id = $1 AND group_id = $2 ORDER BY added_at, client_id";
pub const GROUP_LABEL_CELLS: (&str, &str) = sealed_cells!("client_groups", "label");

/// Appointments with their clients in one read: a row per (appointment, client), each
/// appointment's rows together (every order ends with the appointment's id).
macro_rules! appointment_select {
    ($where:literal) => {
        concat!(
            "SELECT a.id, a.type_id, a.clinician_id, a.starts_at, a.ends_at, a.modality, a.status, a.reason, ",
            "a.version, a.created_at, a.created_by, a.updated_at, a.updated_by, a.note_id, a.room, c.client_id, ",
            "a.series_id, a.occurrence, a.office_id ",
            "FROM appointments a LEFT JOIN appointment_clients c ",
            "ON c.practice_id = a.practice_id AND c.appointment_id = a.id WHERE a.practice_id = $1 AND ",
            $where
        )
    };
}
pub const INSERT_APPOINTMENT: &str = "INSERT INTO appointments (practice_id, id, type_id, clinician_id, starts_at, \
     ends_at, modality, status, reason, version, created_at, created_by, room, series_id, occurrence, office_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13, $14, $15)";
/// Takes the clinician's membership row for the rest of the transaction (PostgreSQL's row lock),
/// so that the check after it sees every booking committed before.
pub const LOCK_CLINICIAN: &str = "UPDATE memberships SET role = role WHERE practice_id = $1 AND user_id = $2";
/// Changes the row (and so passes) only if no appointment holding time, and no client's request
/// waiting for one, overlaps [$3, $4).
pub const CLINICIAN_STILL_FREE: &str = "UPDATE memberships SET role = role \
     WHERE practice_id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM appointments a \
     WHERE a.practice_id = $1 AND a.clinician_id = $2 AND a.status IN ('scheduled', 'attended') \
     AND a.starts_at < $4 AND a.ends_at > $3) AND NOT EXISTS (SELECT 1 FROM slot_requests r \
     WHERE r.practice_id = $1 AND r.clinician_id = $2 AND r.status = 'waiting' \
     AND r.starts_at < $4 AND r.ends_at > $3)";
pub const INSERT_APPOINTMENT_CLIENT: &str =
    "INSERT INTO appointment_clients (practice_id, appointment_id, client_id) VALUES ($1, $2, $3)";
pub const APPOINTMENT: &str = appointment_select!("a.id = $2");
/// Appointments overlapping [$2, $3) that hold their time; `$4` bounds the start from below
/// (the window's start less the longest session), so the start index serves.
pub const APPOINTMENTS_OVERLAPPING: &str = appointment_select!(
    "a.starts_at >= $4 AND a.starts_at < $3 AND a.ends_at > $2 AND a.status IN ('scheduled', 'attended') \
     ORDER BY a.starts_at, a.id"
);
/// A clinician's appointments starting in [$3, $4), whatever became of them.
pub const APPOINTMENTS_OF_CLINICIAN: &str =
    appointment_select!("a.clinician_id = $2 AND a.starts_at >= $3 AND a.starts_at < $4 ORDER BY a.starts_at, a.id");
/// A client's appointments starting in [$3, $4), whatever became of them, with all their clients.
pub const APPOINTMENTS_OF_CLIENT: &str = appointment_select!(
    "a.id IN (SELECT appointment_id FROM appointment_clients WHERE practice_id = $1 AND client_id = $2) \
     AND a.starts_at >= $3 AND a.starts_at < $4 ORDER BY a.starts_at, a.id, c.client_id"
);
/// Every appointment starting in [$2, $3), whatever became of it.
pub const APPOINTMENTS_STARTING: &str =
    appointment_select!("a.starts_at >= $2 AND a.starts_at < $3 ORDER BY a.starts_at, a.id");
pub const MOVE_APPOINTMENT: &str = "UPDATE appointments SET starts_at = $4, ends_at = $5, version = version + 1, \
     updated_at = $6, updated_by = $7 WHERE practice_id = $1 AND id = $2 AND version = $3";
pub const SET_APPOINTMENT_OUTCOME: &str = "UPDATE appointments SET status = $4, reason = $5, version = version + 1, \
     updated_at = $6, updated_by = $7 WHERE practice_id = $1 AND id = $2 AND version = $3";
/// Links a note to an appointment that has none yet.
pub const LINK_APPOINTMENT_NOTE: &str =
    "UPDATE appointments SET note_id = $3 WHERE practice_id = $1 AND id = $2 AND note_id IS NULL";
/// A clinician's attended sessions since `$3` whose note is missing or unsigned.
pub const SESSIONS_WITHOUT_SIGNED_NOTE: &str = "SELECT COUNT(*) FROM appointments a \
     LEFT JOIN notes n ON n.practice_id = a.practice_id AND n.id = a.note_id \
     WHERE a.practice_id = $1 AND a.clinician_id = $2 AND a.status = 'attended' AND a.starts_at >= $3 \
     AND (n.id IS NULL OR n.status <> 'signed')";
pub const INSERT_SERIES: &str =
    "INSERT INTO appointment_series (practice_id, id, rule, created_at, created_by) VALUES ($1, $2, $3, $4, $5)";
pub const SERIES: &str = "SELECT id, rule, created_at, created_by FROM appointment_series \
     WHERE practice_id = $1 AND id = $2";
pub const SET_SERIES_RULE: &str = "UPDATE appointment_series SET rule = $3 WHERE practice_id = $1 AND id = $2";
/// A series' sessions, in the order the rule put them.
pub const SERIES_APPOINTMENTS: &str = appointment_select!("a.series_id = $2 ORDER BY a.occurrence, a.starts_at, a.id");
/// Takes a session out of the calendar: only one still scheduled, with no note, at the version read.
pub const DELETE_APPOINTMENT_CLIENTS: &str = "DELETE FROM appointment_clients WHERE practice_id = $1 \
     AND appointment_id = (SELECT id FROM appointments WHERE practice_id = $1 AND id = $2 AND version = $3 \
     AND status = 'scheduled' AND note_id IS NULL)";
pub const DELETE_APPOINTMENT: &str = "DELETE FROM appointments WHERE practice_id = $1 AND id = $2 AND version = $3 \
     AND status = 'scheduled' AND note_id IS NULL";
pub const INSERT_WISH: &str = "INSERT INTO waitlist (practice_id, id, client_id, clinician_id, weekdays, earliest, \
     latest, modality, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// The clients still waiting, longest first.
pub const WAITLIST: &str = "SELECT id, client_id, clinician_id, weekdays, earliest, latest, modality, added_at, \
     added_by FROM waitlist WHERE practice_id = $1 AND ended_at IS NULL ORDER BY added_at, id";
/// Ends a wish that is still waiting, with the appointment that met it (if one did).
pub const END_WISH: &str = "UPDATE waitlist SET ended_at = $3, ended_by = $4, appointment_id = $5 \
     WHERE practice_id = $1 AND id = $2 AND ended_at IS NULL";
pub const DELETE_FEED: &str = "DELETE FROM calendar_feeds WHERE practice_id = $1 AND user_id = $2";
pub const INSERT_FEED: &str =
    "INSERT INTO calendar_feeds (token_hash, practice_id, user_id, created_at) VALUES ($1, $2, $3, $4)";
pub const FEED_CREATED: &str = "SELECT created_at FROM calendar_feeds WHERE practice_id = $1 AND user_id = $2";
pub const FEED: &str = "SELECT f.practice_id, f.user_id, m.role, u.display_name, u.disabled_at FROM calendar_feeds f \
     JOIN memberships m ON m.practice_id = f.practice_id AND m.user_id = f.user_id \
     JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1";
pub const FEED_DETAIL: &str = "SELECT detail FROM feed_settings WHERE practice_id = $1";
pub const SET_FEED_DETAIL: &str = "INSERT INTO feed_settings (practice_id, detail, updated_at, updated_by) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (practice_id) DO UPDATE SET detail = excluded.detail, \
     updated_at = excluded.updated_at, updated_by = excluded.updated_by";
pub const FEE_POLICY: &str =
    "SELECT notice_hours, late_cancel_fee, no_show_fee FROM fee_policies WHERE practice_id = $1";
pub const SAVE_FEE_POLICY: &str = "INSERT INTO fee_policies (practice_id, notice_hours, late_cancel_fee, \
     no_show_fee, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (practice_id) DO UPDATE \
     SET notice_hours = excluded.notice_hours, late_cancel_fee = excluded.late_cancel_fee, \
     no_show_fee = excluded.no_show_fee, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
/// How many sessions of each clinician and client starting in [$2, $3) came to each outcome.
pub const ATTENDANCE: &str = "SELECT a.clinician_id, c.client_id, a.status, COUNT(*) FROM appointments a \
     JOIN appointment_clients c ON c.practice_id = a.practice_id AND c.appointment_id = a.id \
     WHERE a.practice_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3 \
     GROUP BY a.clinician_id, c.client_id, a.status ORDER BY a.clinician_id, c.client_id, a.status";
/// How many sessions of each clinician starting in [$2, $3) came to each outcome.
pub const ATTENDANCE_BY_CLINICIAN: &str = "SELECT clinician_id, status, COUNT(*) FROM appointments \
     WHERE practice_id = $1 AND starts_at >= $2 AND starts_at < $3 \
     GROUP BY clinician_id, status ORDER BY clinician_id, status";
pub const ROOMS: &str = "SELECT id, name, created_at, archived_at FROM rooms WHERE practice_id = $1 \
     ORDER BY archived_at IS NOT NULL, name, id";
pub const INSERT_ROOM: &str = "INSERT INTO rooms (practice_id, id, name, created_at) VALUES ($1, $2, $3, $4)";
pub const ARCHIVE_ROOM: &str =
    "UPDATE rooms SET archived_at = $3 WHERE practice_id = $1 AND id = $2 AND archived_at IS NULL";
pub const APPOINTMENT_REASON_CELLS: (&str, &str) = sealed_cells!("appointments", "reason");

pub const NOTE_TEMPLATES: &str = "SELECT id, name, kind, fields, created_at, created_by, archived_at \
     FROM note_templates WHERE practice_id = $1 ORDER BY archived_at IS NOT NULL, name, id";
pub const INSERT_NOTE_TEMPLATE: &str = "INSERT INTO note_templates (practice_id, id, name, kind, fields, \
     created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const ARCHIVE_NOTE_TEMPLATE: &str =
    "UPDATE note_templates SET archived_at = $3 WHERE practice_id = $1 AND id = $2 AND archived_at IS NULL";

// AI assistance: providers, consents, requests.
pub const INSERT_AI_PROVIDER: &str = "INSERT INTO ai_providers (practice_id, id, name, base_url, model, key_source, \
     runs_here, created_at, created_by, enabled, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 1)";
pub const AI_PROVIDERS: &str = "SELECT id, name, base_url, model, key_source, runs_here, created_at, created_by, \
     baa_sha256, baa_recorded_at, baa_recorded_by, enabled, version FROM ai_providers WHERE practice_id = $1 \
     ORDER BY created_at, id";
pub const RECORD_AI_BAA: &str = "UPDATE ai_providers SET baa_sha256 = $4, baa_recorded_at = $5, baa_recorded_by = $6, \
     version = version + 1 WHERE practice_id = $1 AND id = $2 AND version = $3";
pub const ENABLE_AI_PROVIDER: &str = "UPDATE ai_providers SET enabled = $4, version = version + 1 \
     WHERE practice_id = $1 AND id = $2 AND version = $3";
pub const INSERT_AI_CONSENT: &str = "INSERT INTO ai_consents \
     (practice_id, id, client_id, psychotherapy_notes, part2, given_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const AI_CONSENTS_OF: &str = "SELECT id, client_id, psychotherapy_notes, part2, given_at, recorded_by, revoked_at, \
     revoked_by FROM ai_consents WHERE practice_id = $1 AND client_id = $2 ORDER BY given_at DESC, id";
pub const REVOKE_AI_CONSENT: &str = "UPDATE ai_consents SET revoked_at = $4, revoked_by = $5 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND revoked_at IS NULL";
pub const INSERT_AI_REQUEST: &str = "INSERT INTO ai_requests (practice_id, id, client_id, note_id, assistant, \
     provider_id, model, requested_by, created_at, input, payload, payload_sha256, state, updated_at, thread_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'prepared', $9, $13)";
pub const AI_REQUEST: &str = "SELECT id, client_id, note_id, assistant, provider_id, model, requested_by, created_at, \
     input, payload, payload_sha256, state, answer, answer_sha256, failure, updated_at, thread_id \
     FROM ai_requests WHERE practice_id = $1 AND id = $2";
pub const SETTLE_AI_REQUEST: &str = "UPDATE ai_requests SET state = $4, answer = COALESCE($5, answer), \
     answer_sha256 = COALESCE($6, answer_sha256), failure = $7, updated_at = $8 \
     WHERE practice_id = $1 AND id = $2 AND state = $3";
pub const AI_INPUT_CELLS: (&str, &str) = sealed_cells!("ai_requests", "input");
pub const AI_PAYLOAD_CELLS: (&str, &str) = sealed_cells!("ai_requests", "payload");
pub const AI_ANSWER_CELLS: (&str, &str) = sealed_cells!("ai_requests", "answer");
pub const PORTAL_EMAIL_CELLS: (&str, &str) = sealed_cells!("portal_accounts", "email");
pub const PORTAL_NAME_CELLS: (&str, &str) = sealed_cells!("portal_accounts", "name");

macro_rules! portal_accounts_where {
    ($condition:literal) => {
        concat!(
            "SELECT id, client_id, holder, login_index, email, name, password_hash, invited_by, created_at, \
             password_set_at, last_sign_in_at, closed_at, closed_by FROM portal_accounts WHERE ",
            $condition
        )
    };
}
pub const INSERT_PORTAL_ACCOUNT: &str = "INSERT INTO portal_accounts \
     (practice_id, id, client_id, holder, login_index, email, name, invited_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const PORTAL_ACCOUNT: &str = portal_accounts_where!("practice_id = $1 AND id = $2");
pub const PORTAL_ACCOUNTS_BY_LOGIN: &str =
    portal_accounts_where!("practice_id = $1 AND login_index = $2 AND closed_at IS NULL ORDER BY created_at, id");
pub const PORTAL_ACCOUNTS_OF: &str =
    portal_accounts_where!("practice_id = $1 AND client_id = $2 ORDER BY created_at, id");
pub const PORTAL_ACCOUNTS: &str = portal_accounts_where!("practice_id = $1 ORDER BY id");
pub const REINDEX_PORTAL_ACCOUNT: &str =
    "UPDATE portal_accounts SET login_index = $4 WHERE practice_id = $1 AND id = $2 AND login_index = $3";
/// The open accounts sharing account `$2`'s address (itself included): one password for them all.
macro_rules! at_the_same_address {
    () => {
        "SELECT id FROM portal_accounts WHERE practice_id = $1 AND closed_at IS NULL AND login_index = \
         (SELECT login_index FROM portal_accounts WHERE practice_id = $1 AND id = $2 AND closed_at IS NULL)"
    };
}
pub const SET_PORTAL_PASSWORD: &str = concat!(
    "UPDATE portal_accounts SET password_hash = $3, password_set_at = $4 WHERE practice_id = $1 AND id IN (",
    at_the_same_address!(),
    ")"
);
pub const END_PORTAL_SESSIONS_AT_THE_ADDRESS: &str =
    concat!("DELETE FROM portal_sessions WHERE practice_id = $1 AND account_id IN (", at_the_same_address!(), ")");
pub const CLOSE_PORTAL_ACCOUNT: &str = "UPDATE portal_accounts SET closed_at = $4, closed_by = $5 \
     WHERE practice_id = $1 AND client_id = $2 AND id = $3 AND closed_at IS NULL";
pub const PORTAL_SIGNED_IN: &str = "UPDATE portal_accounts SET last_sign_in_at = $3 \
     WHERE practice_id = $1 AND id = $2 AND closed_at IS NULL";
/// Ends an account's unused links (as of `$3`); the new one is inserted after.
pub const REPLACE_PORTAL_LINKS: &str = "UPDATE portal_links SET replaced_at = $3 \
     WHERE practice_id = $1 AND account_id = $2 AND used_at IS NULL AND replaced_at IS NULL";
/// Inserts a link only for an open account.
pub const INSERT_PORTAL_LINK: &str = "INSERT INTO portal_links \
     (token_hash, practice_id, account_id, created_at, expires_at) \
     SELECT $1, $2, $3, $4, $5 FROM portal_accounts WHERE practice_id = $2 AND id = $3 AND closed_at IS NULL";
pub const PORTAL_LINK: &str = "SELECT token_hash, practice_id, account_id, created_at, expires_at, used_at, \
     replaced_at FROM portal_links WHERE token_hash = $1";
pub const USE_PORTAL_LINK: &str = "UPDATE portal_links SET used_at = $2 \
     WHERE token_hash = $1 AND used_at IS NULL AND replaced_at IS NULL AND expires_at > $2";
pub const END_PORTAL_SESSIONS: &str = "DELETE FROM portal_sessions WHERE practice_id = $1 AND account_id = $2";
pub const INSERT_PORTAL_SESSION: &str = "INSERT INTO portal_sessions \
     (token_hash, practice_id, account_id, created_at, last_seen_at, expires_at, ip, user_agent, \
     pending_second_factor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const PORTAL_SESSION: &str = "SELECT s.token_hash, s.practice_id, s.account_id, s.created_at, s.last_seen_at, \
     s.expires_at, s.ip, s.user_agent, s.pending_second_factor, p.client_idle_timeout_minutes \
     FROM portal_sessions s JOIN practices p ON p.id = s.practice_id WHERE s.token_hash = $1";
pub const TOUCH_PORTAL_SESSION: &str = "UPDATE portal_sessions SET last_seen_at = $2 WHERE token_hash = $1";
pub const DELETE_PORTAL_SESSION: &str = "DELETE FROM portal_sessions WHERE token_hash = $1";
pub const PORTAL_TOTP: &str =
    "SELECT secret, confirmed_at, last_step FROM portal_totp_factors WHERE practice_id = $1 AND id = $2";
pub const DELETE_UNCONFIRMED_PORTAL_TOTP: &str =
    "DELETE FROM portal_totp_factors WHERE practice_id = $1 AND id = $2 AND confirmed_at IS NULL";
pub const INSERT_PORTAL_TOTP: &str =
    "INSERT INTO portal_totp_factors (practice_id, id, secret, created_at) VALUES ($1, $2, $3, $4)";
pub const CONFIRM_PORTAL_TOTP: &str = "UPDATE portal_totp_factors SET confirmed_at = $3, last_step = $4 \
     WHERE practice_id = $1 AND id = $2 AND confirmed_at IS NULL";
pub const USE_PORTAL_TOTP_STEP: &str = "UPDATE portal_totp_factors SET last_step = $3 \
     WHERE practice_id = $1 AND id = $2 AND confirmed_at IS NOT NULL AND last_step < $3";
pub const DELETE_PORTAL_TOTP: &str = "DELETE FROM portal_totp_factors WHERE practice_id = $1 AND id = $2";
pub const INSERT_PORTAL_CHALLENGE: &str =
    "INSERT INTO portal_challenges (id, practice_id, account_id, challenge, expires_at) VALUES ($1, $2, $3, $4, $5)";
pub const PORTAL_CHALLENGE: &str = "SELECT id, practice_id, account_id, challenge, expires_at \
     FROM portal_challenges WHERE id = $1 AND expires_at > $2";
pub const DELETE_PORTAL_CHALLENGE: &str = "DELETE FROM portal_challenges WHERE id = $1";
pub const DELETE_EXPIRED_PORTAL_CHALLENGES: &str = "DELETE FROM portal_challenges WHERE expires_at <= $1";
pub const INSERT_PORTAL_PASSKEY: &str = "INSERT INTO portal_passkeys \
     (practice_id, id, account_id, credential_id, name, public_key, sign_count, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
macro_rules! portal_passkeys {
    ($rows:literal) => {
        concat!(
            "SELECT id, account_id, credential_id, name, public_key, sign_count, created_at, last_used_at \
             FROM portal_passkeys WHERE practice_id = $1 AND ",
            $rows,
            " ORDER BY created_at, id"
        )
    };
}
pub const PORTAL_PASSKEYS: &str = portal_passkeys!("account_id = $2");
pub const PORTAL_PASSKEY_BY_CREDENTIAL: &str = portal_passkeys!("credential_id = $2");
pub const USE_PORTAL_PASSKEY: &str = "UPDATE portal_passkeys SET sign_count = $4, last_used_at = $5 \
     WHERE practice_id = $1 AND id = $2 AND sign_count = $3";
pub const DELETE_PORTAL_PASSKEY: &str =
    "DELETE FROM portal_passkeys WHERE practice_id = $1 AND account_id = $2 AND id = $3";
pub const DELETE_PORTAL_PASSKEYS: &str = "DELETE FROM portal_passkeys WHERE practice_id = $1 AND account_id = $2";
pub const PORTAL_TOTP_CELLS: (&str, &str) = sealed_cells!("portal_totp_factors", "secret");

pub const INSERT_QUESTIONNAIRE: &str = "INSERT INTO portal_questionnaires \
     (practice_id, id, client_id, instrument, every_weeks, due_at, sent_by, sent_at, before_sessions) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
macro_rules! questionnaires_where {
    ($condition:literal) => {
        concat!(
            "SELECT id, client_id, instrument, every_weeks, due_at, sent_by, sent_at, answered_at, measure_id, \
             withdrawn_at, before_sessions FROM portal_questionnaires WHERE ",
            $condition
        )
    };
}
pub const QUESTIONNAIRE: &str = questionnaires_where!("practice_id = $1 AND id = $2");
pub const QUESTIONNAIRES_OF: &str =
    questionnaires_where!("practice_id = $1 AND client_id = $2 ORDER BY due_at DESC, id");
pub const ANSWER_QUESTIONNAIRE: &str = "UPDATE portal_questionnaires SET answered_at = $4, measure_id = $5 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3 AND answered_at IS NULL AND withdrawn_at IS NULL";
pub const WITHDRAW_QUESTIONNAIRE: &str = "UPDATE portal_questionnaires SET withdrawn_at = $4 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3 AND answered_at IS NULL AND withdrawn_at IS NULL";

pub const INSERT_THREAD: &str = "INSERT INTO message_threads \
     (practice_id, id, client_id, subject, started_at, last_message_at) VALUES ($1, $2, $3, $4, $5, $5)";
pub const INSERT_MESSAGE: &str = "INSERT INTO messages \
     (practice_id, id, thread_id, from_client, author_id, body, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Moves a thread of the client to the top; changes no row if the thread is not the client's.
pub const TOUCH_THREAD: &str = "UPDATE message_threads SET last_message_at = $4 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3";
macro_rules! threads_where {
    ($condition:literal) => {
        concat!(
            "SELECT t.id, t.client_id, t.subject, t.started_at, t.last_message_at, \
             (SELECT COUNT(*) FROM messages m WHERE m.practice_id = t.practice_id AND m.thread_id = t.id \
              AND m.from_client = 0 AND m.read_at IS NULL), \
             (SELECT COUNT(*) FROM messages m WHERE m.practice_id = t.practice_id AND m.thread_id = t.id \
              AND m.from_client = 1 AND m.read_at IS NULL) \
             FROM message_threads t WHERE t.practice_id = $1 AND t.client_id = $2",
            $condition
        )
    };
}
pub const THREADS_OF: &str = threads_where!(" ORDER BY t.last_message_at DESC, t.id");
pub const THREAD: &str = threads_where!(" AND t.id = $3");
pub const MESSAGES_OF: &str = "SELECT m.id, m.thread_id, m.from_client, m.author_id, m.body, m.sent_at, m.read_at, \
     m.read_by, a.id, a.detail, a.content_key, f.filed_at, f.document_id FROM messages m \
     LEFT JOIN message_attachments a ON a.practice_id = m.practice_id AND a.message_id = m.id \
     LEFT JOIN message_filings f ON f.practice_id = m.practice_id AND f.message_id = m.id \
     WHERE m.practice_id = $1 AND m.thread_id = $2 ORDER BY m.sent_at, m.id";
pub const INSERT_MESSAGE_ATTACHMENT: &str =
    "INSERT INTO message_attachments (practice_id, id, message_id, detail, content_key) VALUES ($1, $2, $3, $4, $5)";
pub const INSERT_MESSAGE_FILING: &str = "INSERT INTO message_filings \
     (practice_id, message_id, document_id, filed_at, filed_by) VALUES ($1, $2, $3, $4, $5)";
pub const MARK_MESSAGES_READ: &str = "UPDATE messages SET read_at = $4, read_by = $5 \
     WHERE practice_id = $1 AND thread_id = $2 AND from_client = $3 AND read_at IS NULL";
pub const UNREAD_THREADS_OF_CASELOAD: &str = "SELECT t.client_id, t.id FROM message_threads t \
     JOIN care_team c ON c.practice_id = t.practice_id AND c.client_id = t.client_id AND c.user_id = $2 \
     JOIN messages m ON m.practice_id = t.practice_id AND m.thread_id = t.id AND m.from_client = 1 AND m.read_at IS NULL \
     WHERE t.practice_id = $1 GROUP BY t.client_id, t.id ORDER BY MIN(m.sent_at), t.id";
pub const MESSAGE_SUBJECT_CELLS: (&str, &str) = sealed_cells!("message_threads", "subject");
pub const MESSAGE_BODY_CELLS: (&str, &str) = sealed_cells!("messages", "body");

pub const REMINDER_SETTINGS: &str =
    "SELECT email_hours, sms_hours, with_names FROM reminder_settings WHERE practice_id = $1";
pub const SAVE_REMINDER_SETTINGS: &str = "INSERT INTO reminder_settings \
     (practice_id, email_hours, sms_hours, with_names, updated_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (practice_id) DO UPDATE SET email_hours = excluded.email_hours, \
     sms_hours = excluded.sms_hours, with_names = excluded.with_names, updated_at = excluded.updated_at";
/// A reminder not planned already; the first attempt is due when the reminder is.
pub const PLAN_REMINDER: &str = "INSERT INTO reminders \
     (practice_id, id, appointment_id, client_id, channel, starts_at, due_at, state, attempts, next_attempt_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $7) \
     ON CONFLICT (practice_id, appointment_id, client_id, channel, starts_at) DO NOTHING";
macro_rules! reminders_where {
    ($condition:literal) => {
        concat!(
            "SELECT id, appointment_id, client_id, channel, starts_at, due_at, state, attempts, next_attempt_at, \
             outcome, settled_at, provider_id FROM reminders WHERE practice_id = $1 AND ",
            $condition
        )
    };
}
pub const DUE_REMINDERS: &str =
    reminders_where!("state = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3");
pub const PURGE_SETTLED_REMINDERS: &str =
    "DELETE FROM reminders WHERE practice_id = $1 AND due_at < $2 AND state <> 'pending'";
pub const REMINDER_LOG: &str = reminders_where!("due_at >= $2 ORDER BY due_at DESC, id LIMIT $3");
pub const SETTLE_REMINDER: &str = "UPDATE reminders SET state = $3, attempts = $4, next_attempt_at = $5, \
     outcome = $6, settled_at = $7, provider_id = $8 WHERE practice_id = $1 AND id = $2 AND state = 'pending'";
/// The provider's word on a text sent: a failed delivery fails the reminder; any other status
/// is noted. Changes no row for an unknown id or a reminder not sent.
pub const REMINDER_DELIVERY: &str = "UPDATE reminders SET state = $3, outcome = $4 \
     WHERE practice_id = $1 AND provider_id = $2 AND channel = 'sms' AND state = 'sent'";

pub const INSERT_INTAKE_FORM: &str = "INSERT INTO intake_forms \
     (practice_id, id, kind, title, body, created_by, created_at, replaces) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const RETIRE_INTAKE_FORM: &str =
    "UPDATE intake_forms SET retired_at = $3 WHERE practice_id = $1 AND id = $2 AND retired_at IS NULL";
macro_rules! intake_forms_where {
    ($condition:literal) => {
        concat!(
            "SELECT id, kind, title, body, created_by, created_at, replaces, retired_at FROM intake_forms \
             WHERE practice_id = $1",
            $condition
        )
    };
}
pub const INTAKE_FORMS: &str = intake_forms_where!(" ORDER BY created_at, id");
pub const INTAKE_FORM: &str = intake_forms_where!(" AND id = $2");
pub const INSERT_INTAKE_PACKET: &str =
    "INSERT INTO intake_packets (practice_id, id, client_id, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5)";
pub const INSERT_INTAKE_ITEM: &str =
    "INSERT INTO intake_signatures (practice_id, id, packet_id, form_id, position) VALUES ($1, $2, $3, $4, $5)";
macro_rules! intake_packets_where {
    ($condition:literal) => {
        concat!(
            "SELECT id, client_id, sent_by, sent_at, withdrawn_at, reviewed_at, reviewed_by FROM intake_packets \
             WHERE practice_id = $1 AND ",
            $condition
        )
    };
}
pub const INTAKE_PACKETS_OF: &str = intake_packets_where!("client_id = $2 ORDER BY sent_at DESC, id");
pub const INTAKE_PACKET: &str = intake_packets_where!("id = $2");
/// The forms of the packets `$2` names (a client's, or one).
pub const INTAKE_ITEMS_OF_CLIENT: &str = "SELECT s.packet_id, s.id, s.form_id, s.position, s.signed_at, \
     s.signature, s.document_id, s.answers FROM intake_signatures s JOIN intake_packets p \
     ON p.practice_id = s.practice_id AND p.id = s.packet_id WHERE s.practice_id = $1 AND p.client_id = $2 \
     ORDER BY s.packet_id, s.position";
pub const INTAKE_ITEMS_OF_PACKET: &str = "SELECT packet_id, id, form_id, position, signed_at, signature, \
     document_id, answers FROM intake_signatures WHERE practice_id = $1 AND packet_id = $2 ORDER BY position";
/// Signs a form of an open packet of the client; changes no row if it was signed, or the packet
/// withdrawn or reviewed, meanwhile.
pub const SIGN_INTAKE_ITEM: &str = "UPDATE intake_signatures SET signed_at = $4, signature = $5, document_id = $6, \
     answers = $8 \
     WHERE practice_id = $1 AND packet_id = $2 AND id = $3 AND signed_at IS NULL AND EXISTS (SELECT 1 FROM \
     intake_packets p WHERE p.practice_id = $1 AND p.id = $2 AND p.client_id = $7 \
     AND p.withdrawn_at IS NULL AND p.reviewed_at IS NULL)";
pub const REVIEW_INTAKE_PACKET: &str = "UPDATE intake_packets SET reviewed_at = $4, reviewed_by = $5 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3 AND reviewed_at IS NULL AND withdrawn_at IS NULL";
pub const WITHDRAW_INTAKE_PACKET: &str = "UPDATE intake_packets SET withdrawn_at = $4 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3 AND reviewed_at IS NULL AND withdrawn_at IS NULL";
pub const MESSAGE_ATTACHMENT_DETAIL_CELLS: (&str, &str) = sealed_cells!("message_attachments", "detail");
pub const MESSAGE_ATTACHMENT_KEY_CELLS: (&str, &str) = sealed_cells!("message_attachments", "content_key");
pub const INTAKE_ANSWERS_CELLS: (&str, &str) = sealed_cells!("intake_signatures", "answers");
pub const INTAKE_SIGNATURE_CELLS: (&str, &str) = sealed_cells!("intake_signatures", "signature");

pub const BILLING_SETTINGS: &str = "SELECT taxonomy, zip_plus_four, submitter_id, receiver_name, receiver_id, \
     contact_name, contact_phone, next_interchange, next_claim, version, require_plan_goal \
     FROM billing_settings WHERE practice_id = $1";
pub const INSERT_BILLING_SETTINGS: &str = "INSERT INTO billing_settings (practice_id, taxonomy, zip_plus_four, \
     submitter_id, receiver_name, receiver_id, contact_name, contact_phone, require_plan_goal) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const UPDATE_BILLING_SETTINGS: &str = "UPDATE billing_settings SET taxonomy = $2, zip_plus_four = $3, \
     submitter_id = $4, receiver_name = $5, receiver_id = $6, contact_name = $7, contact_phone = $8, \
     require_plan_goal = $9, version = version + 1 WHERE practice_id = $1 AND version = $10";
pub const BILLING_CLINICIANS: &str =
    "SELECT user_id, npi, taxonomy FROM billing_clinicians WHERE practice_id = $1 ORDER BY user_id";
pub const SET_BILLING_CLINICIAN: &str = "INSERT INTO billing_clinicians (practice_id, user_id, npi, taxonomy) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (practice_id, user_id) DO UPDATE SET npi = $3, taxonomy = $4";
pub const INSERT_PAYER: &str = "INSERT INTO payers \
     (practice_id, id, name, electronic_id, filing_indicator, timely_filing_days, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const PAYERS: &str = "SELECT id, name, electronic_id, filing_indicator, timely_filing_days, created_at \
     FROM payers WHERE practice_id = $1 ORDER BY name, id";
pub const SET_FEE: &str = "INSERT INTO fees \
     (practice_id, payer, service_code, effective_from, amount_cents, created_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (practice_id, payer, service_code, effective_from) \
     DO UPDATE SET amount_cents = $5, created_at = $6, created_by = $7";
pub const FEES: &str = "SELECT payer, service_code, effective_from, amount_cents, created_at, created_by \
     FROM fees WHERE practice_id = $1 ORDER BY payer, service_code, effective_from";
pub const INSERT_CHARGE: &str = "INSERT INTO charges (practice_id, id, appointment_id, client_id, clinician_id, \
     service_date, service_code, modifiers, units, place_of_service, amount_cents, payer, created_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (practice_id, appointment_id, client_id) DO NOTHING";
macro_rules! charges {
    ($rows:literal) => {
        concat!(
            "SELECT ch.id, ch.appointment_id, ch.client_id, ch.clinician_id, ch.service_date, \
             ch.service_code, ch.modifiers, ch.units, ch.place_of_service, ch.amount_cents, ch.payer, ch.created_at, \
             ch.created_by, ch.claim_id, cl.number FROM charges ch \
             LEFT JOIN claims cl ON cl.practice_id = ch.practice_id AND cl.id = ch.claim_id WHERE ch.practice_id = $1 AND ",
            $rows,
            " ORDER BY ch.service_date, ch.id"
        )
    };
}
pub const CHARGES_BETWEEN: &str = charges!("ch.service_date >= $2 AND ch.service_date <= $3");
pub const CHARGES_OF_CLIENT: &str = charges!("ch.client_id = $2");
pub const CHARGE: &str = charges!("ch.id = $2");
pub const TAKE_CLAIM_NUMBERS: &str = "UPDATE billing_settings \
     SET next_interchange = next_interchange + 1, next_claim = next_claim + $4 \
     WHERE practice_id = $1 AND next_interchange = $2 AND next_claim = $3";
pub const INSERT_CLAIM_BATCH: &str = "INSERT INTO claim_batches \
     (practice_id, id, interchange, created_at, created_by, claims, content) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const INSERT_CLAIM: &str = "INSERT INTO claims (practice_id, id, number, client_id, payer_id, charge_id, \
     service_date, total_cents, batch_id, status, created_at, frequency, replaces, follows) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sent', $10, $11, $12, $13)";
/// The claim a replacement or void corrects stops standing, once.
pub const SUPERSEDE_CLAIM: &str = "UPDATE claims SET status = 'void' \
     WHERE practice_id = $1 AND id = $2 AND status IN ('sent', 'paid', 'denied')";
pub const MOVE_CHARGE_TO_CLAIM: &str =
    "UPDATE charges SET claim_id = $4 WHERE practice_id = $1 AND id = $2 AND claim_id = $3";
pub const CLAIM_CHARGE: &str =
    "UPDATE charges SET claim_id = $3 WHERE practice_id = $1 AND id = $2 AND claim_id IS NULL";
pub const CLAIMS: &str = "SELECT id, number, client_id, payer_id, charge_id, total_cents, batch_id, status, \
     created_at, payer_claim_number, service_date, frequency, replaces, follows FROM claims WHERE practice_id = $1 ORDER BY number";
pub const CLAIMS_OF_CLIENT: &str = "SELECT id, number, client_id, payer_id, charge_id, total_cents, batch_id, status, \
     created_at, payer_claim_number, service_date, frequency, replaces, follows FROM claims WHERE practice_id = $1 AND client_id = $2 ORDER BY number";
pub const CLAIMS_NUMBERED_BETWEEN: &str = "SELECT id, number, client_id, payer_id, charge_id, total_cents, batch_id, \
     status, created_at, payer_claim_number, service_date, frequency, replaces, follows FROM claims \
     WHERE practice_id = $1 AND number >= $2 AND number <= $3 ORDER BY number";
pub const CLAIMS_SERVED_BETWEEN: &str = "SELECT id, number, client_id, payer_id, charge_id, total_cents, batch_id, \
     status, created_at, payer_claim_number, service_date, frequency, replaces, follows FROM claims \
     WHERE practice_id = $1 AND service_date >= $2 AND service_date <= $3 ORDER BY number";
pub const CLAIM_BATCHES: &str = "SELECT id, interchange, created_at, created_by, claims FROM claim_batches \
     WHERE practice_id = $1 ORDER BY interchange DESC";
pub const CLAIM_BATCH_CONTENT: &str = "SELECT content FROM claim_batches WHERE practice_id = $1 AND id = $2";
pub const CLAIM_BATCH_CELLS: (&str, &str) = sealed_cells!("claim_batches", "content");

pub const INSERT_REMITTANCE: &str = "INSERT INTO remittances (practice_id, id, originator, trace, payer_name, \
     paid_on, method, amount_cents, imported_at, imported_by, content) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub const INSERT_CLAIM_PAYMENT: &str = "INSERT INTO claim_payments (practice_id, id, remittance_id, claim_id, \
     status, charge_cents, paid_cents, patient_cents, payer_claim_number, adjustments, remarks) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub const SETTLE_CLAIM: &str = "UPDATE claims SET status = $3, payer_claim_number = $4 \
     WHERE practice_id = $1 AND id = $2 AND status = 'sent'";
pub const INSERT_LEDGER_ENTRY: &str = "INSERT INTO ledger_entries \
     (practice_id, id, client_id, at, kind, amount_cents, claim_id, remittance_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const REMITTANCES: &str = "SELECT id, originator, trace, payer_name, paid_on, method, amount_cents, \
     imported_at, imported_by FROM remittances WHERE practice_id = $1 ORDER BY imported_at DESC, id";
pub const CLAIM_PAYMENTS: &str = "SELECT id, remittance_id, claim_id, status, charge_cents, paid_cents, \
     patient_cents, payer_claim_number, adjustments, remarks FROM claim_payments WHERE practice_id = $1 \
     ORDER BY remittance_id, claim_id, id";
pub const PAYMENTS_OF_CLAIM: &str = "SELECT p.id, p.remittance_id, p.claim_id, p.status, p.charge_cents, \
     p.paid_cents, p.patient_cents, p.payer_claim_number, p.adjustments, p.remarks FROM claim_payments p \
     JOIN remittances r ON r.practice_id = p.practice_id AND r.id = p.remittance_id \
     WHERE p.practice_id = $1 AND p.claim_id = $2 ORDER BY r.imported_at, p.id";
pub const LEDGER: &str = "SELECT id, client_id, at, kind, amount_cents, claim_id, remittance_id FROM ledger_entries \
     WHERE practice_id = $1 AND client_id = $2 ORDER BY at, id";
pub const REMITTANCE_CELLS: (&str, &str) = sealed_cells!("remittances", "content");
pub const SLIDING_FEE_CELLS: (&str, &str) = sealed_cells!("sliding_fee_assessments", "detail");
pub const INCIDENT_CELLS: (&str, &str) = sealed_cells!("incidents", "content");
pub const LEGAL_HOLD_CELLS: (&str, &str) = sealed_cells!("legal_holds", "matter");
pub const ACKNOWLEDGEMENT_CELLS: (&str, &str) = sealed_cells!("claim_acknowledgements", "detail");
pub const ELIGIBILITY_REQUEST_CELLS: (&str, &str) = sealed_cells!("eligibility_checks", "request");
pub const ELIGIBILITY_ANSWER_CELLS: (&str, &str) = sealed_cells!("eligibility_checks", "answer");

/// An inquiry takes the next interchange number, as a claim batch does.
pub const TAKE_INTERCHANGE: &str = "UPDATE billing_settings SET next_interchange = next_interchange + 1 \
     WHERE practice_id = $1 AND next_interchange = $2";
pub const INSERT_ELIGIBILITY: &str = "INSERT INTO eligibility_checks (practice_id, id, client_id, payer, trace, \
     interchange, asked_on, requested_at, requested_by, request) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// An answer is recorded once.
pub const ANSWER_ELIGIBILITY: &str = "UPDATE eligibility_checks SET answer = $3, answered_at = $4 \
     WHERE practice_id = $1 AND id = $2 AND answer IS NULL";
macro_rules! eligibility_columns {
    () => {
        "SELECT id, client_id, payer, trace, interchange, asked_on, requested_at, requested_by, request, answer, \
         answered_at FROM eligibility_checks WHERE practice_id = $1"
    };
}
pub const ELIGIBILITY_OF_CLIENT: &str =
    concat!(eligibility_columns!(), " AND client_id = $2 ORDER BY requested_at DESC");
pub const ELIGIBILITY_WAITING: &str =
    "SELECT CAST(COUNT(*) AS BIGINT) FROM eligibility_checks WHERE practice_id = $1 AND answer IS NULL";
pub const ELIGIBILITY_BY_TRACE: &str = concat!(eligibility_columns!(), " AND trace = $2");

pub const INSERT_INCIDENT: &str = "INSERT INTO incidents (practice_id, id, version, discovered_on, window_from, \
     window_to, staff_user, content, created_by, created_at, updated_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $9)";
/// Only from the version the owner saw.
pub const UPDATE_INCIDENT: &str = "UPDATE incidents SET version = version + 1, discovered_on = $3, window_from = $4, \
     window_to = $5, staff_user = $6, content = $7, updated_at = $8 WHERE practice_id = $1 AND id = $2 AND version = $9";
macro_rules! incident_columns {
    () => {
        "SELECT id, version, discovered_on, window_from, window_to, staff_user, content, created_by, created_at, \
         updated_at FROM incidents WHERE practice_id = $1"
    };
}
pub const INCIDENTS: &str = concat!(incident_columns!(), " ORDER BY discovered_on DESC, created_at DESC");
pub const INCIDENT: &str = concat!(incident_columns!(), " AND id = $2");
/// The clients whose records were reached in a window (by one staff member, or anyone when $4
/// is empty): from the audit log's lookup rows, successful accesses only.
pub const CLIENTS_TOUCHED: &str = "SELECT client, CAST(COUNT(*) AS BIGINT), MIN(recorded), MAX(recorded) \
     FROM audit_index WHERE practice_id = $1 AND recorded >= $2 AND recorded < $3 AND client IS NOT NULL \
     AND outcome = 'ok' AND ($4 = '' OR actor = $4) GROUP BY client ORDER BY client";

/// Sent claims not yet settled, summed by payer and date of service (from `claims_owed` alone).
pub const AR_OWED: &str = "SELECT payer_id, service_date, CAST(SUM(total_cents) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
     FROM claims WHERE practice_id = $1 AND status = 'sent' GROUP BY payer_id, service_date \
     ORDER BY payer_id, service_date";

-- When the person last signed in (NULL: never since this column existed, so `created_at`
-- counts), and why an account is disabled: 'deactivated' by the owner, or 'inactive' after the
-- practice's number of days without a sign-in.
ALTER TABLE users ADD COLUMN last_active_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason TEXT CHECK (disabled_reason IN ('deactivated', 'inactive'));

-- Days without a sign-in after which a staff account is disabled (owners never are).
ALTER TABLE practices ADD COLUMN inactivity_days BIGINT NOT NULL DEFAULT 90;

-- Invitations sent by e-mail. The link's token is stored as SHA-256 only; an invitation is used
-- once, expires, and is revoked when the owner withdraws it or invites the address again.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    practice_id  TEXT NOT NULL REFERENCES practices (id),
    email        TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'administrator', 'clinician', 'supervisor', 'scheduler', 'biller')),
    invited_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX invitations_by_practice ON invitations (practice_id, email);

-- API tokens for integrations: each acts as the person who made it, within its scopes
-- (space-separated), until it expires or is revoked. Stored as SHA-256 only; shown once.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    practice_id  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, practice_id);

-- Passkeys (WebAuthn, ES256): a first factor on their own, or the second after a password. The
-- credential id is base64url; the public key an uncompressed P-256 point; the counter guards
-- against cloned authenticators.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL UNIQUE,
    practice_id   TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    public_key    BYTEA NOT NULL,
    sign_count    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- One-time challenges of WebAuthn ceremonies and of sign-ins through the practice's identity
-- provider (OpenID Connect state): issued for one use, within five minutes.
CREATE TABLE webauthn_challenges (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'second_factor', 'sign_in', 'single_sign_on')),
    user_id    TEXT,
    challenge  BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);

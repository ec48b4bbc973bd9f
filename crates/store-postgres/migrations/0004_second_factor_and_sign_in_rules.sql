-- A staff member's authenticator-app secret, sealed with their practice's records key (bound
-- to practice, table, column and user), and the step of the last code used (a code works once).
CREATE TABLE totp_factors (
    user_id      TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL,
    secret       BYTEA NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

-- One-time recovery codes, stored as SHA-256 only.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A session whose password was right but whose second factor is still to come: good for
-- nothing but completing the sign-in.
ALTER TABLE sessions ADD COLUMN pending_second_factor BIGINT NOT NULL DEFAULT 0;

-- The owner can require a second factor of everyone in the practice.
ALTER TABLE practices ADD COLUMN require_second_factor BIGINT NOT NULL DEFAULT 0;

-- Minutes without activity before a session ends, set by the owner (1 to 60).
ALTER TABLE practices ADD COLUMN idle_timeout_minutes BIGINT NOT NULL DEFAULT 15;

-- The Business Associate Agreement as accepted (DL-1): which version and text (its SHA-256), by
-- whom, when and from where. Kept for good; a new version is accepted anew.
CREATE TABLE agreement_acceptances (
    practice_id TEXT NOT NULL,
    version     TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    PRIMARY KEY (practice_id, version)
);

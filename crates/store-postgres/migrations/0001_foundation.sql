-- Haven foundation schema (PostgreSQL). Forward-only: never edit a released migration.
-- Identifiers are UUID text; times are microseconds since the Unix epoch (UTC), as on SQLite,
-- so one SQL text serves both backends.

CREATE TABLE practices (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    city          TEXT NOT NULL,
    state         TEXT NOT NULL,
    postal_code   TEXT NOT NULL,
    npi           TEXT NOT NULL,
    tax_id        TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE memberships (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL CHECK (role IN ('owner', 'administrator', 'clinician', 'supervisor', 'scheduler', 'biller')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (practice_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    practice_id  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Each practice's data keys, wrapped by the master key (never stored in the clear).
CREATE TABLE data_keys (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    id            TEXT NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('records', 'psychotherapy_notes', 'part2', 'blind_index')),
    wrapped       BYTEA NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id)
);

-- Client demographics: every personal value sealed (AES-256-GCM, bound to practice, table,
-- column and row), found through keyed blind indexes.
CREATE TABLE clients (
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    id                  TEXT NOT NULL,
    given_name          BYTEA NOT NULL,
    family_name         BYTEA NOT NULL,
    date_of_birth       BYTEA NOT NULL,
    given_name_index    TEXT NOT NULL,
    family_name_index   TEXT NOT NULL,
    family_prefix_index TEXT NOT NULL,
    date_of_birth_index TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX clients_by_given_name ON clients (practice_id, given_name_index);
CREATE INDEX clients_by_family_name ON clients (practice_id, family_name_index);
CREATE INDEX clients_by_family_prefix ON clients (practice_id, family_prefix_index);
CREATE INDEX clients_by_date_of_birth ON clients (practice_id, date_of_birth_index);

-- Defence in depth for multi-tenancy: a transaction sees and writes only the rows of the
-- practice it declared (haven.practice_id); without one it sees none. FORCE makes the rule
-- bind the tables' owner too (Haven should not connect as a superuser, which bypasses it).
-- Every table of client data gets the same policy.
ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON clients
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

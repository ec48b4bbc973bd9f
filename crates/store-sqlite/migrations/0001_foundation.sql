-- Haven foundation schema (SQLite). Forward-only: never edit a released migration.
-- Identifiers are UUID text; times are microseconds since the Unix epoch (UTC).

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
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER
) STRICT;

CREATE TABLE memberships (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL CHECK (role IN ('owner', 'administrator', 'clinician', 'supervisor', 'scheduler', 'biller')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (practice_id, user_id)
) STRICT;
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    practice_id  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

-- Each practice's data keys, wrapped by the master key (never stored in the clear).
CREATE TABLE data_keys (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    id            TEXT NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('records', 'psychotherapy_notes', 'part2', 'blind_index')),
    wrapped       BLOB NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id)
) STRICT;

-- Client demographics: every personal value sealed (AES-256-GCM, bound to practice, table,
-- column and row), found through keyed blind indexes.
CREATE TABLE clients (
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    id                  TEXT NOT NULL,
    given_name          BLOB NOT NULL,
    family_name         BLOB NOT NULL,
    date_of_birth       BLOB NOT NULL,
    given_name_index    TEXT NOT NULL,
    family_name_index   TEXT NOT NULL,
    family_prefix_index TEXT NOT NULL,
    date_of_birth_index TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id)
) STRICT;
CREATE INDEX clients_by_given_name ON clients (practice_id, given_name_index);
CREATE INDEX clients_by_family_name ON clients (practice_id, family_name_index);
CREATE INDEX clients_by_family_prefix ON clients (practice_id, family_prefix_index);
CREATE INDEX clients_by_date_of_birth ON clients (practice_id, date_of_birth_index);

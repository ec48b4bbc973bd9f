-- The client portal (SC-8): a client, or a minor's guardian, signs in to see their own record's
-- client-facing parts. Portal accounts are a second kind of user, apart from staff: their own
-- table, links and sessions, and nothing of theirs opens a staff page.
ALTER TABLE practices ADD COLUMN client_idle_timeout_minutes BIGINT NOT NULL DEFAULT 30
    CHECK (client_idle_timeout_minutes BETWEEN 5 AND 120);

-- One open account per sign-in address in a practice. The address and the holder's name are sealed;
-- the address is found by its blind index, so the database holds no client's e-mail in the clear.
CREATE TABLE portal_accounts (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    holder          TEXT NOT NULL CHECK (holder IN ('client', 'guardian')),
    login_index     TEXT NOT NULL,
    email           BYTEA NOT NULL,
    name            BYTEA NOT NULL,
    password_hash   TEXT,
    invited_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    password_set_at BIGINT,
    last_sign_in_at BIGINT,
    closed_at       BIGINT,
    closed_by       TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, invited_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, closed_by) REFERENCES memberships (practice_id, user_id),
    CHECK (password_hash IS NULL OR password_set_at IS NOT NULL)
);
CREATE UNIQUE INDEX portal_accounts_open_login ON portal_accounts (practice_id, login_index) WHERE closed_at IS NULL;
CREATE INDEX portal_accounts_of_client ON portal_accounts (practice_id, client_id);

-- Links e-mailed to an account's holder: valid for days; opening one changes nothing, and it is
-- used up only when a password is set through it. A newer link replaces the older ones.
CREATE TABLE portal_links (
    token_hash  TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    replaced_at BIGINT,
    FOREIGN KEY (practice_id, account_id) REFERENCES portal_accounts (practice_id, id)
);
CREATE INDEX portal_links_of_account ON portal_links (practice_id, account_id);

CREATE TABLE portal_sessions (
    token_hash   TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    FOREIGN KEY (practice_id, account_id) REFERENCES portal_accounts (practice_id, id)
);
CREATE INDEX portal_sessions_of_account ON portal_sessions (practice_id, account_id);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Accounts belong to their practice; links and sessions are found by the hash of a secret only
-- their holder has, before the practice is known (as staff sessions are).
ALTER TABLE portal_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON portal_accounts
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

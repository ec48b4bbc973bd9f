-- Forgotten passwords: a link e-mailed to the person (or handed over by a colleague who may
-- manage them) sets a new one. Only the token's SHA-256 is kept; a new link ends the open
-- one, and using it ends it too.
CREATE TABLE password_resets (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    practice_id  TEXT NOT NULL REFERENCES practices (id),
    requested_by TEXT REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ended_at     INTEGER
) STRICT;
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- A reset request is in the sign-in history and counts against the sign-in door like a
-- failure. Attempts for addresses without an account are counted in one row per address and
-- network address (refusals: per network address) for a quarter of an hour, so a flood of
-- them cannot grow the table without bound. SQLite cannot change a CHECK in place: the
-- table is rebuilt with its rows.
CREATE TABLE sign_in_events_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('signed_in', 'failed', 'locked', 'signed_out', 'reset_requested')),
    email       TEXT NOT NULL,
    user_id     TEXT,
    practice_id TEXT,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1 CHECK (attempts > 0)
) STRICT;
INSERT INTO sign_in_events_new (id, at, kind, email, user_id, practice_id, ip, user_agent)
    SELECT id, at, kind, email, user_id, practice_id, ip, user_agent FROM sign_in_events;
DROP TABLE sign_in_events;
ALTER TABLE sign_in_events_new RENAME TO sign_in_events;
CREATE INDEX sign_in_events_by_email ON sign_in_events (email, at);
CREATE INDEX sign_in_events_by_ip ON sign_in_events (ip, at);
CREATE INDEX sign_in_events_by_practice ON sign_in_events (practice_id, at);

-- Every attempt at the sign-in door and every sign-out, kept for the owner's sign-in history
-- and for throttling (consecutive failures per address, failures per network address).
-- practice_id and user_id are NULL when the address matches no account.
CREATE TABLE sign_in_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('signed_in', 'failed', 'locked', 'signed_out')),
    email       TEXT NOT NULL,
    user_id     TEXT,
    practice_id TEXT,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL
);
CREATE INDEX sign_in_events_by_email ON sign_in_events (email, at);
CREATE INDEX sign_in_events_by_ip ON sign_in_events (ip, at);
CREATE INDEX sign_in_events_by_practice ON sign_in_events (practice_id, at);

-- Where each session was opened from, so people can see their sessions and end the others.
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_user ON sessions (user_id, practice_id);

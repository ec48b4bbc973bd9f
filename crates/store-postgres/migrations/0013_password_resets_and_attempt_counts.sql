-- Forgotten passwords: a link e-mailed to the person (or handed over by a colleague who may
-- manage them) sets a new one. Only the token's SHA-256 is kept; a new link ends the open
-- one, and using it ends it too.
CREATE TABLE password_resets (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    practice_id  TEXT NOT NULL REFERENCES practices (id),
    requested_by TEXT REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- A reset request is in the sign-in history and counts against the sign-in door like a
-- failure. Attempts for addresses without an account are counted in one row per address and
-- network address (refusals: per network address) for a quarter of an hour, so a flood of
-- them cannot grow the table without bound.
ALTER TABLE sign_in_events ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1 CHECK (attempts > 0);
ALTER TABLE sign_in_events DROP CONSTRAINT sign_in_events_kind_check;
ALTER TABLE sign_in_events ADD CONSTRAINT sign_in_events_kind_check
    CHECK (kind IN ('signed_in', 'failed', 'locked', 'signed_out', 'reset_requested'));

-- A client's or guardian's authenticator app: an optional second step at portal sign-in. The
-- secret is sealed (bound to the account's id); a code's time step is accepted once. The
-- practice can remove it for a holder who lost their phone.
CREATE TABLE portal_totp_factors (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    secret       BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, id) REFERENCES portal_accounts (practice_id, id)
) STRICT;

-- A session opened by the password alone, waiting for the app's code; it reaches no page.
ALTER TABLE portal_sessions ADD COLUMN pending_second_factor INTEGER NOT NULL DEFAULT 0;

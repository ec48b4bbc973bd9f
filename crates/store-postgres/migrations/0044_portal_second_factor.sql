-- A client's or guardian's authenticator app: an optional second step at portal sign-in. The
-- secret is sealed (bound to the account's id); a code's time step is accepted once. The
-- practice can remove it for a holder who lost their phone.
CREATE TABLE portal_totp_factors (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    secret       BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, id) REFERENCES portal_accounts (practice_id, id)
);
ALTER TABLE portal_totp_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_totp_factors FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON portal_totp_factors
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

-- A session opened by the password alone, waiting for the app's code; it reaches no page.
ALTER TABLE portal_sessions ADD COLUMN pending_second_factor BIGINT NOT NULL DEFAULT 0;

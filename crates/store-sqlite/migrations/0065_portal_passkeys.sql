-- Clients' passkeys for the portal (WebAuthn, ES256): verified by the device (PIN or
-- biometrics), a passkey is the whole sign-in. Added through the e-mailed link instead of a
-- password, or later from the portal's sign-in security. The credential id is base64url and
-- unique across the server; the counter guards against cloned authenticators.
CREATE TABLE portal_passkeys (
    practice_id   TEXT NOT NULL,
    id            TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    public_key    BLOB NOT NULL,
    sign_count    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, account_id) REFERENCES portal_accounts (practice_id, id)
) STRICT;
CREATE INDEX portal_passkeys_of_account ON portal_passkeys (practice_id, account_id);

-- One-time challenges of the portal's passkey ceremonies, within five minutes: registering
-- (for one account) or signing in (anyone's passkey; it names its account).
CREATE TABLE portal_challenges (
    id          TEXT PRIMARY KEY,
    practice_id TEXT,
    account_id  TEXT,
    challenge   BLOB NOT NULL,
    expires_at  INTEGER NOT NULL,
    CHECK ((practice_id IS NULL) = (account_id IS NULL))
) STRICT;

-- Consents to disclose (42 CFR 2.31) and disclosures (AU-4): what each says (recipient,
-- purpose, parts of the record, dates, signature) is sealed; the rows say only whose, when and
-- by whom. A consent is revoked, never deleted; a disclosure, once made, is kept as made, so the
-- accounting of disclosures is complete.
CREATE TABLE consents (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    content     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  BIGINT,
    revoked_by  TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, revoked_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX consents_of_client ON consents (practice_id, client_id, created_at);

CREATE TABLE disclosures (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    consent_id   TEXT,
    detail       BYTEA NOT NULL,
    disclosed_at BIGINT NOT NULL,
    disclosed_by TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, consent_id) REFERENCES consents (practice_id, id),
    FOREIGN KEY (practice_id, disclosed_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX disclosures_of_client ON disclosures (practice_id, client_id, disclosed_at);
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON consents
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE disclosures ENABLE ROW LEVEL SECURITY;
ALTER TABLE disclosures FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON disclosures
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
-- A consent is revoked, never deleted; a disclosure is kept as made.
REVOKE DELETE, TRUNCATE ON consents, disclosures FROM CURRENT_USER;

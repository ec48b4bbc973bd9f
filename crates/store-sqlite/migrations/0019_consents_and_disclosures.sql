-- Consents to disclose (42 CFR 2.31) and disclosures (AU-4): what each says (recipient,
-- purpose, parts of the record, dates, signature) is sealed; the rows say only whose, when and
-- by whom. A consent is revoked, never deleted; a disclosure, once made, is kept as made, so the
-- accounting of disclosures is complete.
CREATE TABLE consents (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    content     BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  INTEGER,
    revoked_by  TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, revoked_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX consents_of_client ON consents (practice_id, client_id, created_at);

CREATE TABLE disclosures (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    consent_id   TEXT,
    detail       BLOB NOT NULL,
    disclosed_at INTEGER NOT NULL,
    disclosed_by TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, consent_id) REFERENCES consents (practice_id, id),
    FOREIGN KEY (practice_id, disclosed_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX disclosures_of_client ON disclosures (practice_id, client_id, disclosed_at);
-- Re-sealing by a key rotation aside, a disclosure stays as made and a consent changes only by
-- its revocation, once.
CREATE TRIGGER disclosures_are_kept BEFORE UPDATE OF client_id, consent_id, disclosed_at, disclosed_by
    ON disclosures BEGIN SELECT RAISE(ABORT, 'disclosures are kept as made'); END;
CREATE TRIGGER disclosures_not_deleted BEFORE DELETE ON disclosures
    BEGIN SELECT RAISE(ABORT, 'disclosures are kept'); END;
CREATE TRIGGER consents_revoked_once BEFORE UPDATE OF client_id, created_at, created_by, revoked_at, revoked_by
    ON consents WHEN OLD.revoked_at IS NOT NULL OR NEW.client_id IS NOT OLD.client_id
        OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
    BEGIN SELECT RAISE(ABORT, 'a consent changes only by its revocation, once'); END;
CREATE TRIGGER consents_not_deleted BEFORE DELETE ON consents
    BEGIN SELECT RAISE(ABORT, 'consents are kept'); END;

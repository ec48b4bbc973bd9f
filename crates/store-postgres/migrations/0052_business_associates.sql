-- The business associate agreements the owner records for the services outside Haven that the
-- practice's data reaches (DL-2): which service, the day it was signed, the SHA-256 of the
-- signed document, who recorded it when. Kept as recorded; the newest for a service is in force.
CREATE TABLE associate_agreements (
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    service         TEXT NOT NULL CHECK (service IN ('database', 'email', 'texts', 'video', 'clearinghouse')),
    signed_on       TEXT NOT NULL,
    document_sha256 TEXT NOT NULL CHECK (length(document_sha256) = 64),
    recorded_at     BIGINT NOT NULL,
    recorded_by     TEXT NOT NULL,
    PRIMARY KEY (practice_id, service, recorded_at)
);
REVOKE UPDATE, DELETE, TRUNCATE ON associate_agreements FROM CURRENT_USER;

ALTER TABLE associate_agreements ENABLE ROW LEVEL SECURITY;
ALTER TABLE associate_agreements FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON associate_agreements
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

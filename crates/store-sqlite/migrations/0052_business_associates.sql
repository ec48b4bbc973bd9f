-- The business associate agreements the owner records for the services outside Haven that the
-- practice's data reaches (DL-2): which service, the day it was signed, the SHA-256 of the
-- signed document, who recorded it when. Kept as recorded; the newest for a service is in force.
CREATE TABLE associate_agreements (
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    service         TEXT NOT NULL CHECK (service IN ('database', 'email', 'texts', 'video', 'clearinghouse')),
    signed_on       TEXT NOT NULL,
    document_sha256 TEXT NOT NULL CHECK (length(document_sha256) = 64),
    recorded_at     INTEGER NOT NULL,
    recorded_by     TEXT NOT NULL,
    PRIMARY KEY (practice_id, service, recorded_at)
) STRICT;
CREATE TRIGGER associate_agreements_kept BEFORE UPDATE ON associate_agreements
    BEGIN SELECT RAISE(ABORT, 'agreements are kept as recorded'); END;
CREATE TRIGGER associate_agreements_not_deleted BEFORE DELETE ON associate_agreements
    BEGIN SELECT RAISE(ABORT, 'agreements are kept'); END;

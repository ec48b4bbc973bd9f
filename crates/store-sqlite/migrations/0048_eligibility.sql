-- Eligibility inquiries (270) and the payers' answers (271), per client: what was asked and
-- what came back, both sealed; the trace the answer carries back finds its inquiry. Each
-- inquiry takes the practice's next interchange number, like a claim batch.
CREATE TABLE eligibility_checks (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    payer        TEXT NOT NULL,
    trace        TEXT NOT NULL,
    interchange  INTEGER NOT NULL,
    asked_on     TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    request      BLOB NOT NULL,
    answer       BLOB,
    answered_at  INTEGER,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, trace),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX eligibility_of_client ON eligibility_checks (practice_id, client_id, requested_at);

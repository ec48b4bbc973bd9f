-- Eligibility inquiries (270) and the payers' answers (271), per client: what was asked and
-- what came back, both sealed; the trace the answer carries back finds its inquiry. Each
-- inquiry takes the practice's next interchange number, like a claim batch.
CREATE TABLE eligibility_checks (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    payer        TEXT NOT NULL,
    trace        TEXT NOT NULL,
    interchange  BIGINT NOT NULL,
    asked_on     TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    request      BYTEA NOT NULL,
    answer       BYTEA,
    answered_at  BIGINT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, trace),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX eligibility_of_client ON eligibility_checks (practice_id, client_id, requested_at);

ALTER TABLE eligibility_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE eligibility_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON eligibility_checks
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

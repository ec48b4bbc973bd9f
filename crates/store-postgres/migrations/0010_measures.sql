-- Outcome measures (CR-7): each administration kept as given (answers, total and band sealed
-- together), never changed. The risk level of an alert is plain, so a clinician's unacknowledged
-- alerts are found without opening every result; acknowledging is the one later change.
CREATE TABLE measures (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    instrument      TEXT NOT NULL,
    administered_at BIGINT NOT NULL,
    administered_by TEXT NOT NULL,
    result          BYTEA NOT NULL,
    risk            TEXT CHECK (risk IN ('low', 'moderate', 'high')),
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, administered_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX measures_by_client ON measures (practice_id, client_id, administered_at);
CREATE INDEX measures_unacknowledged ON measures (practice_id, client_id)
    WHERE risk IS NOT NULL AND acknowledged_at IS NULL;
ALTER TABLE measures ENABLE ROW LEVEL SECURITY;
ALTER TABLE measures FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON measures
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

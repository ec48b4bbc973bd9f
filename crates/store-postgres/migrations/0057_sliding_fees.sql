-- The sliding scale (BI-1): each practice's, as the JSON its domain type reads (the poverty
-- guideline it measures income against and its tiers); and each client's assessments against
-- it: the share of the self-pay fee they pay, for a year from the day assessed. The household
-- and its income are sealed (`detail`).
CREATE TABLE sliding_scales (
    practice_id TEXT NOT NULL PRIMARY KEY REFERENCES practices (id),
    scale       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);
CREATE TABLE sliding_fee_assessments (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    assessed_on  TEXT NOT NULL,
    pays_percent BIGINT NOT NULL CHECK (pays_percent BETWEEN 0 AND 100),
    detail       BYTEA NOT NULL,
    recorded_at  BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX sliding_fee_assessments_client ON sliding_fee_assessments (practice_id, client_id, assessed_on);

ALTER TABLE sliding_scales ENABLE ROW LEVEL SECURITY;
ALTER TABLE sliding_scales FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON sliding_scales
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE sliding_fee_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE sliding_fee_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON sliding_fee_assessments
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

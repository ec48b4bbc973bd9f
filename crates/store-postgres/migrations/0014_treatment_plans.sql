-- Treatment plans (CR-6): one per client, its problems, goals, review date and the client's
-- signature sealed as one value. The review date is plain, so plans due for review are found
-- without opening any (a date alone names no one). `version` refuses a stale edit, and every
-- saved version is kept: a signature names the version the client signed.
CREATE TABLE treatment_plans (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    content     BYTEA NOT NULL,
    review_on   TEXT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, client_id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, updated_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX treatment_plans_by_review ON treatment_plans (practice_id, review_on);

CREATE TABLE treatment_plan_versions (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    version     BIGINT NOT NULL,
    content     BYTEA NOT NULL,
    saved_at    BIGINT NOT NULL,
    saved_by    TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, plan_id, version),
    FOREIGN KEY (practice_id, plan_id) REFERENCES treatment_plans (practice_id, id)
);
ALTER TABLE treatment_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE treatment_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON treatment_plans
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE treatment_plan_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE treatment_plan_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON treatment_plan_versions
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
-- Versions are insert-only (re-sealing by a key rotation aside).
REVOKE DELETE, TRUNCATE ON treatment_plan_versions FROM CURRENT_USER;

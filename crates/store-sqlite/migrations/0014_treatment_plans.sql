-- Treatment plans (CR-6): one per client, its problems, goals, review date and the client's
-- signature sealed as one value. The review date is plain, so plans due for review are found
-- without opening any (a date alone names no one). `version` refuses a stale edit, and every
-- saved version is kept: a signature names the version the client signed.
CREATE TABLE treatment_plans (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    content     BLOB NOT NULL,
    review_on   TEXT,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, client_id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, updated_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX treatment_plans_by_review ON treatment_plans (practice_id, review_on);

CREATE TABLE treatment_plan_versions (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    content     BLOB NOT NULL,
    saved_at    INTEGER NOT NULL,
    saved_by    TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, plan_id, version),
    FOREIGN KEY (practice_id, plan_id) REFERENCES treatment_plans (practice_id, id)
) STRICT;
-- Versions are kept as saved (re-sealing by a key rotation aside).
CREATE TRIGGER treatment_plan_versions_are_kept BEFORE UPDATE OF plan_id, version, saved_at, saved_by
    ON treatment_plan_versions BEGIN SELECT RAISE(ABORT, 'plan versions are kept as saved'); END;
CREATE TRIGGER treatment_plan_versions_not_deleted BEFORE DELETE ON treatment_plan_versions
    BEGIN SELECT RAISE(ABORT, 'plan versions are kept'); END;

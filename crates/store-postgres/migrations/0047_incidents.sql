-- Security incidents and their breach risk assessment (DL-7): the words sealed (they may name
-- people and what was seen), the dates and the staff member in question in the clear, for the
-- affected clients to be found in the audit log. Kept for good, changed only from a version.
CREATE TABLE incidents (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    id            TEXT NOT NULL,
    version       BIGINT NOT NULL,
    discovered_on TEXT NOT NULL,
    window_from   TEXT NOT NULL,
    window_to     TEXT NOT NULL,
    staff_user    TEXT,
    content       BYTEA NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id)
);

ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON incidents
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

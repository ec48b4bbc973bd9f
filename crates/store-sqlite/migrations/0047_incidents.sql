-- Security incidents and their breach risk assessment (DL-7): the words sealed (they may name
-- people and what was seen), the dates and the staff member in question in the clear, for the
-- affected clients to be found in the audit log. Kept for good, changed only from a version.
CREATE TABLE incidents (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    id            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    discovered_on TEXT NOT NULL,
    window_from   TEXT NOT NULL,
    window_to     TEXT NOT NULL,
    staff_user    TEXT,
    content       BLOB NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id)
) STRICT;

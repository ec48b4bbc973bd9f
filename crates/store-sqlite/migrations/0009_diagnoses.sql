-- Diagnoses (CR-3): the code, dates and note sealed as one value; rank and status are plain so
-- a chart orders them and a claim picks the active ones. `version` refuses a stale edit.
CREATE TABLE diagnoses (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    detail      BLOB NOT NULL,
    rank        INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 12),
    status      TEXT NOT NULL CHECK (status IN ('active', 'resolved', 'ruled_out')),
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  INTEGER,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX diagnoses_by_client ON diagnoses (practice_id, client_id, rank);

-- Questionnaires the care team sends a client through the portal (CR-7, SC-8): once, or again
-- every N weeks. Answering one stores the measure it became in the same transaction and, for a
-- recurring one, adds the next.
CREATE TABLE portal_questionnaires (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    instrument   TEXT NOT NULL,
    every_weeks  INTEGER CHECK (every_weeks IS NULL OR every_weeks BETWEEN 1 AND 52),
    due_at       INTEGER NOT NULL,
    sent_by      TEXT NOT NULL,
    sent_at      INTEGER NOT NULL,
    answered_at  INTEGER,
    measure_id   TEXT,
    withdrawn_at INTEGER,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, sent_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, measure_id) REFERENCES measures (practice_id, id),
    CHECK ((answered_at IS NULL) = (measure_id IS NULL)),
    CHECK (answered_at IS NULL OR withdrawn_at IS NULL)
) STRICT;
CREATE INDEX portal_questionnaires_of_client ON portal_questionnaires (practice_id, client_id, due_at);

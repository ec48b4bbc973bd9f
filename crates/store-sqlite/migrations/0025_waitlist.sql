-- The waitlist (SC-6): who waits for a session and what they would accept. Plain columns: ids,
-- days and times of day name no one (the client's name is sealed in its own row). A wish ends
-- once, booked (with the appointment) or taken off, and stays for the record.
CREATE TABLE waitlist (
    practice_id    TEXT NOT NULL,
    id             TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    clinician_id   TEXT,
    weekdays       TEXT NOT NULL,
    earliest       TEXT NOT NULL,
    latest         TEXT NOT NULL,
    modality       TEXT CHECK (modality IN ('in_person', 'telehealth')),
    added_at       INTEGER NOT NULL,
    added_by       TEXT NOT NULL,
    ended_at       INTEGER,
    ended_by       TEXT,
    appointment_id TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, clinician_id) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, added_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX waitlist_waiting ON waitlist (practice_id, added_at) WHERE ended_at IS NULL;

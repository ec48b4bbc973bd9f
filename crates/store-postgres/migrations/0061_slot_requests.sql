-- A client's request for a time (SC-2, types booked by request): it holds the time for its
-- clinician while it waits, as a booked session does, until the care team books it or
-- declines it, or the client withdraws it.
CREATE TABLE slot_requests (
    practice_id    TEXT NOT NULL,
    id             TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    clinician_id   TEXT NOT NULL,
    type_id        TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    modality       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('waiting', 'booked', 'declined', 'withdrawn')),
    created_at     BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     TEXT,
    appointment_id TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX slot_requests_waiting ON slot_requests (practice_id, status, clinician_id, starts_at);
CREATE INDEX slot_requests_client ON slot_requests (practice_id, client_id);

ALTER TABLE slot_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE slot_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON slot_requests
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

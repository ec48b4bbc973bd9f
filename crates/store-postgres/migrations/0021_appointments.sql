-- Appointments (SC-1, SC-3, SC-5): when, with whom, how, and what became of it are plain, so
-- calendars, conflicts and free slots are read without opening anything (times and ids name no
-- one: the clients' names are sealed in their own rows). The reason for a cancellation or a
-- missed session is sealed. `version` refuses a stale change: two people moving one
-- appointment cannot both win.
CREATE TABLE appointments (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    type_id     TEXT NOT NULL REFERENCES appointment_types (id),
    clinician_id TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    modality    TEXT NOT NULL CHECK (modality IN ('in_person', 'telehealth')),
    status      TEXT NOT NULL CHECK (status IN ('scheduled', 'attended', 'cancelled', 'late_cancelled', 'no_show')),
    reason      BYTEA NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  BIGINT,
    updated_by  TEXT,
    PRIMARY KEY (practice_id, id),
    CHECK (ends_at > starts_at),
    FOREIGN KEY (practice_id, clinician_id) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX appointments_by_clinician ON appointments (practice_id, clinician_id, starts_at);
CREATE INDEX appointments_by_start ON appointments (practice_id, starts_at);

CREATE TABLE appointment_clients (
    practice_id    TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    PRIMARY KEY (practice_id, appointment_id, client_id),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX appointment_clients_by_client ON appointment_clients (practice_id, client_id);
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON appointments
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE appointment_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON appointment_clients
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

-- Appointment types (SC-1): what the practice books. Never deleted once used: archived instead.
-- `version` rises with every change, so an edit made from a stale form is refused, not lost.
CREATE TABLE appointment_types (
    id               TEXT PRIMARY KEY,
    practice_id      TEXT NOT NULL REFERENCES practices (id),
    name             TEXT NOT NULL,
    minutes          BIGINT NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    service_code     TEXT,
    place_of_service TEXT NOT NULL,
    color            TEXT NOT NULL,
    billable         BIGINT NOT NULL CHECK (billable IN (0, 1)),
    attendance       TEXT NOT NULL CHECK (attendance IN ('individual', 'family', 'group')),
    max_clients      BIGINT NOT NULL CHECK (max_clients BETWEEN 1 AND 30),
    archived_at      BIGINT,
    version          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (practice_id, name)
);

-- Each clinician's calendar settings: time zone, weekly hours and breaks in their clock time
-- (`MO 09:00-12:00,13:00-17:00;TU …`), the buffer kept around sessions, and the appointment
-- types they offer (space-separated ids). Versioned like appointment types.
CREATE TABLE calendars (
    practice_id    TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    hours          TEXT NOT NULL,
    breaks         TEXT NOT NULL,
    buffer_minutes BIGINT NOT NULL CHECK (buffer_minutes BETWEEN 0 AND 120),
    offers         TEXT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (practice_id, user_id),
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);

-- Time off: instants, with the clinician's short label ("Vacation"); staff-only.
CREATE TABLE time_off (
    id          TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL CHECK (ends_at > starts_at),
    label       TEXT,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX time_off_by_user ON time_off (practice_id, user_id, ends_at);

-- Recurring series (SC-1): the rule a run of sessions was booked by, kept so the calendar can
-- say "every week, 12 times" and rebook the rest of a run. Each session is an appointment row
-- of its own (its series and the local date the rule put it on, its recurrence id), so
-- calendars, conflicts, outcomes and notes treat a series' sessions like any other.
CREATE TABLE appointment_series (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    rule        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
ALTER TABLE appointments ADD COLUMN series_id TEXT;
ALTER TABLE appointments ADD COLUMN occurrence TEXT;
CREATE INDEX appointments_by_series ON appointments (practice_id, series_id, occurrence);

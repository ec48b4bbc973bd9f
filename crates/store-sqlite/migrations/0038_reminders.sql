-- Appointment reminders (SC-4): the practice's lead time per channel (none: that channel is
-- off) and whether reminders may carry names; one row per reminder planned, kept as the
-- delivery log (attempts, the next one, the outcome in words that name no one).
CREATE TABLE reminder_settings (
    practice_id TEXT PRIMARY KEY REFERENCES practices (id),
    email_hours INTEGER CHECK (email_hours IS NULL OR email_hours BETWEEN 1 AND 168),
    sms_hours   INTEGER CHECK (sms_hours IS NULL OR sms_hours BETWEEN 1 AND 168),
    with_names  INTEGER NOT NULL CHECK (with_names IN (0, 1)),
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE reminders (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    appointment_id  TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    starts_at       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    outcome         TEXT,
    settled_at      INTEGER,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, appointment_id, client_id, channel, starts_at),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX reminders_waiting ON reminders (practice_id, state, next_attempt_at);
CREATE INDEX reminders_by_due ON reminders (practice_id, due_at);

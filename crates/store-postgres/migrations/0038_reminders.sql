-- Appointment reminders (SC-4): the practice's lead time per channel (none: that channel is
-- off) and whether reminders may carry names; one row per reminder planned, kept as the
-- delivery log (attempts, the next one, the outcome in words that name no one).
CREATE TABLE reminder_settings (
    practice_id TEXT PRIMARY KEY REFERENCES practices (id),
    email_hours BIGINT CHECK (email_hours IS NULL OR email_hours BETWEEN 1 AND 168),
    sms_hours   BIGINT CHECK (sms_hours IS NULL OR sms_hours BETWEEN 1 AND 168),
    with_names  BIGINT NOT NULL CHECK (with_names IN (0, 1)),
    updated_at  BIGINT NOT NULL
);

CREATE TABLE reminders (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    appointment_id  TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    starts_at       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    outcome         TEXT,
    settled_at      BIGINT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, appointment_id, client_id, channel, starts_at),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX reminders_waiting ON reminders (practice_id, state, next_attempt_at);
CREATE INDEX reminders_by_due ON reminders (practice_id, due_at);

ALTER TABLE reminder_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminder_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON reminder_settings
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON reminders
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

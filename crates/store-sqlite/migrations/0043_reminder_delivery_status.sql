-- A text's id at the SMS provider, so that the provider's later word on its delivery (a status
-- callback) finds the reminder it is about.
ALTER TABLE reminders ADD COLUMN provider_id TEXT;
CREATE INDEX reminders_by_provider_id ON reminders (practice_id, provider_id) WHERE provider_id IS NOT NULL;

-- The note written for an appointment (its session's note): attended sessions without a signed
-- note are found by it, and billing will follow it from the session to the signed note.
ALTER TABLE appointments ADD COLUMN note_id TEXT;

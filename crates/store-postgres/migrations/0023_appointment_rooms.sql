-- The video room of a telehealth appointment: a random name that names no one. The clinician
-- and the client open the same room from the appointment.
ALTER TABLE appointments ADD COLUMN room TEXT;

-- Self-scheduling (SC-2): each appointment type says whether clients book it in the portal, and
-- how: at once into a free slot, or by asking the care team.
ALTER TABLE appointment_types ADD COLUMN portal_booking TEXT NOT NULL DEFAULT 'off'
    CHECK (portal_booking IN ('off', 'instant', 'request'));

-- The practice profile is edited by the owner: each save is made from the version it was
-- loaded at, so two edits cannot overwrite each other unseen.
ALTER TABLE practices ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Replacement (7) and void (8) claims: each a claim of its own, with its own number, naming
-- the claim it corrects (`replaces`); the corrected claim no longer stands (status `void`) and
-- its charge moves to the new claim.
ALTER TABLE claims ADD COLUMN frequency TEXT NOT NULL DEFAULT '1';
ALTER TABLE claims ADD COLUMN replaces TEXT;

-- 42 CFR Part 2: the practice is a federally assisted substance use disorder program, so its
-- clients' SUD records are disclosed only with their written consent, with the notice.
ALTER TABLE practices ADD COLUMN part2_program INTEGER NOT NULL DEFAULT 0 CHECK (part2_program IN (0, 1));

-- The owner sets after how many days past the session a note's signature marks it a late entry
-- (CR-4); three until changed.
ALTER TABLE practices ADD COLUMN late_entry_days INTEGER NOT NULL DEFAULT 3 CHECK (late_entry_days BETWEEN 1 AND 30);

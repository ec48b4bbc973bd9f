-- Retention (AUDIT.md §7): each log is kept at least seven years, or longer by the owner's
-- choice, and not at all dropped while a legal hold is on. The oldest years may then be dropped
-- whole: `dropped_below` is the first event kept. Events below it are the only ones that may be
-- deleted, and only by the drop that moved it (the signed tree is still the real guard).
ALTER TABLE audit_logs ADD COLUMN retention_years INTEGER NOT NULL DEFAULT 7 CHECK (retention_years BETWEEN 7 AND 100);
ALTER TABLE audit_logs ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1));
ALTER TABLE audit_logs ADD COLUMN dropped_below INTEGER NOT NULL DEFAULT 0 CHECK (dropped_below >= 0);

DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN old.seq >= COALESCE((SELECT dropped_below FROM audit_logs WHERE practice_id = old.practice_id), 0)
BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END;

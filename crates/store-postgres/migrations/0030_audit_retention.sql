-- Retention (AUDIT.md §7): each log is kept at least seven years, or longer by the owner's
-- choice, and not at all dropped while a legal hold is on. The oldest years may then be dropped
-- whole: `dropped_below` is the first event kept. Events below it are the only ones that may be
-- deleted, and only inside the drop's own transaction, which grants itself DELETE and takes it
-- back before committing (the signed tree is still the real guard).
ALTER TABLE audit_logs
    ADD COLUMN retention_years INTEGER NOT NULL DEFAULT 7 CHECK (retention_years BETWEEN 7 AND 100),
    ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1)),
    ADD COLUMN dropped_below BIGINT NOT NULL DEFAULT 0 CHECK (dropped_below >= 0);

CREATE FUNCTION audit_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq < COALESCE(
        (SELECT dropped_below FROM audit_logs WHERE practice_id = OLD.practice_id), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit rows cannot be changed or deleted';
END $$;
DROP TRIGGER audit_events_insert_only ON audit_events;
CREATE TRIGGER audit_events_insert_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_event_change();

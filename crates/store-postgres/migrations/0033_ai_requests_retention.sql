-- AI requests are kept with the audit log they belong to (AI-6): when the log's oldest years are
-- dropped past their retention, the requests made before its first kept event go with them, in
-- the same transaction (which grants itself DELETE and takes it back before committing); no other
-- deletion is allowed.
CREATE FUNCTION ai_request_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.created_at < COALESCE((
        SELECT CASE WHEN l.dropped_below = 0 THEN 0 ELSE i.recorded END
        FROM audit_logs l JOIN audit_index i ON i.practice_id = l.practice_id AND i.seq = l.dropped_below
        WHERE l.practice_id = OLD.practice_id), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'AI requests are kept with the audit log';
END $$;
CREATE TRIGGER ai_requests_kept_with_their_audit_years BEFORE DELETE ON ai_requests
    FOR EACH ROW EXECUTE FUNCTION ai_request_refuse_delete();

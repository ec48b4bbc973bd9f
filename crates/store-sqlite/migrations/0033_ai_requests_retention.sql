-- AI requests are kept with the audit log they belong to (AI-6): when the log's oldest years are
-- dropped past their retention, the requests made before its first kept event go with them, in
-- the same transaction; no other deletion is allowed.
DROP TRIGGER ai_requests_not_deleted;
CREATE TRIGGER ai_requests_kept_with_their_audit_years BEFORE DELETE ON ai_requests
WHEN OLD.created_at >= COALESCE((
    SELECT CASE WHEN l.dropped_below = 0 THEN 0 ELSE i.recorded END
    FROM audit_logs l JOIN audit_index i ON i.practice_id = l.practice_id AND i.seq = l.dropped_below
    WHERE l.practice_id = OLD.practice_id), 0)
BEGIN SELECT RAISE(ABORT, 'AI requests are kept with the audit log'); END;

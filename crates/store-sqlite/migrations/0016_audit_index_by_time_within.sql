-- A client's (or staff member's) events are read newest first over any span, up to seven years:
-- their indexes carry the time, so such a report reads that client's rows in order instead of
-- walking the whole log by time. `seq` still ends each key (events of one moment).
DROP INDEX audit_index_by_client;
CREATE INDEX audit_index_by_client ON audit_index (practice_id, client, recorded, seq) WHERE client IS NOT NULL;
DROP INDEX audit_index_by_actor;
CREATE INDEX audit_index_by_actor ON audit_index (practice_id, actor, recorded, seq) WHERE actor IS NOT NULL;

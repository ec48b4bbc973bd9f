-- The practice's exports as jobs (DL-3): started from the page or `haven export`, run by
-- whichever server claims them (a lease, renewed with each page of clients), resumed from
-- their cursor after a crash. Each page's output is kept sealed until the archive is made.
CREATE TABLE export_jobs (
    practice_id   TEXT NOT NULL,
    id            TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('fhir', 'csv', 'notes')),
    recipients    TEXT NOT NULL,
    -- 'page' (the file kept for download) or 'command' (written by `haven export` itself).
    origin        TEXT NOT NULL CHECK (origin IN ('page', 'command')),
    requested_by  TEXT,
    requested_at  BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'removed')),
    clients_total BIGINT NOT NULL,
    clients_done  BIGINT NOT NULL DEFAULT 0,
    after_client  TEXT,
    pages         BIGINT NOT NULL DEFAULT 0,
    runner        TEXT,
    lease_until   BIGINT,
    finished_at   BIGINT,
    bytes         BIGINT,
    summary       TEXT,
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX export_jobs_running ON export_jobs (practice_id, status, requested_at);

ALTER TABLE export_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON export_jobs
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

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
    requested_at  INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'removed')),
    clients_total INTEGER NOT NULL,
    clients_done  INTEGER NOT NULL DEFAULT 0,
    after_client  TEXT,
    pages         INTEGER NOT NULL DEFAULT 0,
    runner        TEXT,
    lease_until   INTEGER,
    finished_at   INTEGER,
    bytes         INTEGER,
    summary       TEXT,
    PRIMARY KEY (practice_id, id)
) STRICT;
CREATE INDEX export_jobs_running ON export_jobs (practice_id, status, requested_at);

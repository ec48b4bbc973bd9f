-- The audit log (AUDIT.md): one Merkle-tree log per practice. Rows hold identifiers and codes,
-- never PHI text. Event and checkpoint rows are insert-only; the triggers below refuse changes
-- as a guard against bugs (the signed tree is the real guard).

-- The audit signing key is wrapped and stored like a data key, so it follows master-key
-- rotations; SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE data_keys_new (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    id            TEXT NOT NULL,
    purpose       TEXT NOT NULL
                  CHECK (purpose IN ('records', 'psychotherapy_notes', 'part2', 'blind_index', 'audit_signing')),
    wrapped       BLOB NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id)
) STRICT;
INSERT INTO data_keys_new SELECT practice_id, id, purpose, wrapped, master_key_id, created_at FROM data_keys;
DROP TABLE data_keys;
ALTER TABLE data_keys_new RENAME TO data_keys;

-- Each practice's log: its signing key's name and public half (anyone may check checkpoints
-- with it), the id of the wrapped private half in data_keys, and the head: the newest signed
-- checkpoint, replaced with every batch (only from the size it had, so two writers cannot both
-- extend the same head).
CREATE TABLE audit_logs (
    practice_id     TEXT PRIMARY KEY REFERENCES practices (id),
    key_name        TEXT NOT NULL,
    public_key      BLOB NOT NULL CHECK (length(public_key) = 32),
    signing_key_id  TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    head_size       INTEGER NOT NULL DEFAULT 0 CHECK (head_size >= 0),
    head_note       TEXT,
    head_at         INTEGER
) STRICT;

-- Events as encoded once (deterministic CBOR) and their leaf hashes; seq is the leaf index.
CREATE TABLE audit_events (
    practice_id  TEXT NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    body         BLOB NOT NULL,
    leaf         BLOB NOT NULL CHECK (length(leaf) = 32),
    PRIMARY KEY (practice_id, seq)
) STRICT, WITHOUT ROWID;

-- Interior hashes as C2SP tiles: up to 256 hashes of tree level 8·level, concatenated. A
-- partial tile is rewritten as it grows; derived data, recomputed by the verifier.
CREATE TABLE audit_tiles (
    practice_id  TEXT NOT NULL,
    level        INTEGER NOT NULL CHECK (level BETWEEN 0 AND 8),
    idx          INTEGER NOT NULL CHECK (idx >= 0),
    hashes       BLOB NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0),
    PRIMARY KEY (practice_id, level, idx)
) STRICT, WITHOUT ROWID;

-- Earlier heads kept for good: the first of every minute with events, so a verifier checks
-- that each later one extends the earlier ones.
CREATE TABLE audit_checkpoints (
    practice_id  TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    note         TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (practice_id, size)
) STRICT, WITHOUT ROWID;

-- Lookups derived from the bodies (who, which client, what, when, outcome); rebuilt from the
-- log and checked against it by the verifier.
CREATE TABLE audit_index (
    practice_id  TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    recorded     INTEGER NOT NULL,
    actor        TEXT,
    client       TEXT,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
    PRIMARY KEY (practice_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_index_by_time ON audit_index (practice_id, recorded);
CREATE INDEX audit_index_by_client ON audit_index (practice_id, client, seq) WHERE client IS NOT NULL;
CREATE INDEX audit_index_by_actor ON audit_index (practice_id, actor, seq) WHERE actor IS NOT NULL;

-- Events of changes, written in the change's own transaction and sequenced into the log soon
-- after: no change without its event, no event for a change that rolled back.
CREATE TABLE audit_outbox (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL,
    draft        BLOB NOT NULL,
    queued_at    INTEGER NOT NULL
) STRICT;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints cannot be changed'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints cannot be deleted'); END;

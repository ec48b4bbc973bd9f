-- The audit log (AUDIT.md): one Merkle-tree log per practice. Rows hold identifiers and codes,
-- never PHI text. Event and checkpoint rows are insert-only: Haven's role keeps only INSERT and
-- SELECT on them, and triggers refuse changes as a guard against bugs (the signed tree is the
-- real guard).

-- The audit signing key is wrapped and stored like a data key, so it follows master-key rotations.
ALTER TABLE data_keys DROP CONSTRAINT data_keys_purpose_check,
    ADD CONSTRAINT data_keys_purpose_check
    CHECK (purpose IN ('records', 'psychotherapy_notes', 'part2', 'blind_index', 'audit_signing'));

-- Each practice's log: its signing key's name and public half (anyone may check checkpoints
-- with it), the id of the wrapped private half in data_keys, and the head: the newest signed
-- checkpoint, replaced with every batch (only from the size it had, so two writers cannot both
-- extend the same head).
CREATE TABLE audit_logs (
    practice_id     TEXT PRIMARY KEY REFERENCES practices (id),
    key_name        TEXT NOT NULL,
    public_key      BYTEA NOT NULL CHECK (length(public_key) = 32),
    signing_key_id  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    head_size       BIGINT NOT NULL DEFAULT 0 CHECK (head_size >= 0),
    head_note       TEXT,
    head_at         BIGINT
);

-- Events as encoded once (deterministic CBOR) and their leaf hashes; seq is the leaf index.
CREATE TABLE audit_events (
    practice_id  TEXT NOT NULL,
    seq          BIGINT NOT NULL CHECK (seq >= 0),
    body         BYTEA NOT NULL,
    leaf         BYTEA NOT NULL CHECK (length(leaf) = 32),
    PRIMARY KEY (practice_id, seq)
);

-- Interior hashes as C2SP tiles: up to 256 hashes of tree level 8·level, concatenated. A
-- partial tile is rewritten as it grows; derived data, recomputed by the verifier.
CREATE TABLE audit_tiles (
    practice_id  TEXT NOT NULL,
    level        BIGINT NOT NULL CHECK (level BETWEEN 0 AND 8),
    idx          BIGINT NOT NULL CHECK (idx >= 0),
    hashes       BYTEA NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0),
    PRIMARY KEY (practice_id, level, idx)
);

-- Earlier heads kept for good: the first of every minute with events, so a verifier checks
-- that each later one extends the earlier ones.
CREATE TABLE audit_checkpoints (
    practice_id  TEXT NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0),
    note         TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (practice_id, size)
);

-- Lookups derived from the bodies (who, which client, what, when, outcome); rebuilt from the
-- log and checked against it by the verifier.
CREATE TABLE audit_index (
    practice_id  TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    recorded     BIGINT NOT NULL,
    actor        TEXT,
    client       TEXT,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
    PRIMARY KEY (practice_id, seq)
);
CREATE INDEX audit_index_by_time ON audit_index (practice_id, recorded);
CREATE INDEX audit_index_by_client ON audit_index (practice_id, client, seq) WHERE client IS NOT NULL;
CREATE INDEX audit_index_by_actor ON audit_index (practice_id, actor, seq) WHERE actor IS NOT NULL;

-- Events of changes, written in the change's own transaction and sequenced into the log soon
-- after: no change without its event, no event for a change that rolled back.
CREATE TABLE audit_outbox (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL,
    draft        BYTEA NOT NULL,
    queued_at    BIGINT NOT NULL
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows cannot be changed or deleted';
END $$;
CREATE TRIGGER audit_events_insert_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_insert_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints FROM CURRENT_USER;

-- Who looked at which chart is itself sensitive: the same practice isolation as client data.
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON audit_events
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE audit_tiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_tiles FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON audit_tiles
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON audit_checkpoints
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE audit_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_index FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON audit_index
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

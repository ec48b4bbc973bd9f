-- Retention and legal holds (DL-4, DL-5). The practice's rules: how many years a client's
-- clinical record is kept after the last encounter (or after a minor comes of age) and the
-- billing record after the last charge or payment, and whether the purge runs by itself.
CREATE TABLE retention_rules (
    practice_id    TEXT NOT NULL PRIMARY KEY REFERENCES practices (id),
    clinical_years INTEGER NOT NULL CHECK (clinical_years BETWEEN 7 AND 30),
    billing_years  INTEGER NOT NULL CHECK (billing_years BETWEEN 7 AND 30),
    automatic      INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL
);

-- A legal hold on one client's record or (client_id NULL) on the whole practice: nothing it
-- covers is purged or erased until it is released. The matter is sealed (it may name people).
-- Kept for good, as evidence of what was held and when; identifiers only in the clear.
CREATE TABLE legal_holds (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    id          TEXT NOT NULL,
    client_id   TEXT,
    matter      BYTEA NOT NULL,
    placed_at   BIGINT NOT NULL,
    placed_by   TEXT NOT NULL,
    released_at BIGINT,
    released_by TEXT,
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX legal_holds_in_force ON legal_holds (practice_id, client_id) WHERE released_at IS NULL;
CREATE FUNCTION legal_hold_released_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.released_at IS NOT NULL OR (NEW.client_id, NEW.placed_at, NEW.placed_by)
        IS DISTINCT FROM (OLD.client_id, OLD.placed_at, OLD.placed_by) THEN
        RAISE EXCEPTION 'a legal hold is released once and otherwise kept';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER legal_holds_released_once BEFORE UPDATE ON legal_holds
    FOR EACH ROW EXECUTE FUNCTION legal_hold_released_once();

-- A purged client: written first in the purge's own transaction, and the one thing that lets
-- the kept rows of that client (signed notes, documents, messages …) be deleted — by that
-- transaction, which grants itself DELETE on them and takes it back before committing. It
-- holds no PHI: the ids, when, and the dates the retention ran from and to.
CREATE TABLE client_purges (
    practice_id    TEXT NOT NULL REFERENCES practices (id),
    client_id      TEXT NOT NULL,
    purged_at      BIGINT NOT NULL,
    last_encounter TEXT NOT NULL,
    kept_until     TEXT NOT NULL,
    PRIMARY KEY (practice_id, client_id)
);
CREATE FUNCTION client_purge_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.practice_id, NEW.client_id, NEW.purged_at) IS DISTINCT FROM (OLD.practice_id, OLD.client_id, OLD.purged_at) THEN
        RAISE EXCEPTION 'purges are kept as made';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER client_purges_kept BEFORE UPDATE ON client_purges
    FOR EACH ROW EXECUTE FUNCTION client_purge_kept();
REVOKE DELETE, TRUNCATE ON legal_holds, client_purges FROM CURRENT_USER;

CREATE FUNCTION client_purged(practice TEXT, client TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM client_purges WHERE practice_id = practice AND client_id = client)
$$;

-- The rows kept for good stay kept, unless their client is being purged.
CREATE OR REPLACE FUNCTION glass_breaks_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF client_purged(OLD.practice_id, OLD.client_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'glass breaks are kept';
END $$;
CREATE OR REPLACE FUNCTION notes_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND client_purged(OLD.practice_id, COALESCE(to_jsonb(OLD) ->> 'client_id',
        (SELECT client_id FROM notes WHERE practice_id = OLD.practice_id AND id = to_jsonb(OLD) ->> 'note_id'))) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'notes, their versions and addenda are kept';
END $$;
CREATE OR REPLACE FUNCTION ai_request_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF client_purged(OLD.practice_id, OLD.client_id) OR OLD.created_at < COALESCE((
        SELECT CASE WHEN l.dropped_below = 0 THEN 0 ELSE i.recorded END
        FROM audit_logs l JOIN audit_index i ON i.practice_id = l.practice_id AND i.seq = l.dropped_below
        WHERE l.practice_id = OLD.practice_id), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'AI requests are kept with the audit log';
END $$;

ALTER TABLE retention_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON retention_rules
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE legal_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE legal_holds FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON legal_holds
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE client_purges ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_purges FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON client_purges
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

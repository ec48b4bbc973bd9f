-- Retention and legal holds (DL-4, DL-5). The practice's rules: how many years a client's
-- clinical record is kept after the last encounter (or after a minor comes of age) and the
-- billing record after the last charge or payment, and whether the purge runs by itself.
CREATE TABLE retention_rules (
    practice_id    TEXT NOT NULL PRIMARY KEY REFERENCES practices (id),
    clinical_years INTEGER NOT NULL CHECK (clinical_years BETWEEN 7 AND 30),
    billing_years  INTEGER NOT NULL CHECK (billing_years BETWEEN 7 AND 30),
    automatic      INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL
) STRICT;

-- A legal hold on one client's record or (client_id NULL) on the whole practice: nothing it
-- covers is purged or erased until it is released. The matter is sealed (it may name people).
-- Kept for good, as evidence of what was held and when; identifiers only in the clear.
CREATE TABLE legal_holds (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    id          TEXT NOT NULL,
    client_id   TEXT,
    matter      BLOB NOT NULL,
    placed_at   INTEGER NOT NULL,
    placed_by   TEXT NOT NULL,
    released_at INTEGER,
    released_by TEXT,
    PRIMARY KEY (practice_id, id)
) STRICT;
CREATE INDEX legal_holds_in_force ON legal_holds (practice_id, client_id) WHERE released_at IS NULL;
CREATE TRIGGER legal_holds_released_once BEFORE UPDATE ON legal_holds
    WHEN OLD.released_at IS NOT NULL OR NEW.client_id IS NOT OLD.client_id OR NEW.placed_at IS NOT OLD.placed_at
        OR NEW.placed_by IS NOT OLD.placed_by
    BEGIN SELECT RAISE(ABORT, 'a legal hold is released once and otherwise kept'); END;
CREATE TRIGGER legal_holds_not_deleted BEFORE DELETE ON legal_holds
    BEGIN SELECT RAISE(ABORT, 'legal holds are kept'); END;

-- A purged client: written first in the purge's own transaction, and the one thing that lets
-- the kept rows of that client (signed notes, documents, messages …) be deleted. It holds no
-- PHI: the ids, when, and the dates the retention ran from and to.
CREATE TABLE client_purges (
    practice_id    TEXT NOT NULL REFERENCES practices (id),
    client_id      TEXT NOT NULL,
    purged_at      INTEGER NOT NULL,
    last_encounter TEXT NOT NULL,
    kept_until     TEXT NOT NULL,
    PRIMARY KEY (practice_id, client_id)
) STRICT;
CREATE TRIGGER client_purges_kept BEFORE UPDATE ON client_purges
    WHEN NEW.practice_id IS NOT OLD.practice_id OR NEW.client_id IS NOT OLD.client_id OR NEW.purged_at IS NOT OLD.purged_at
    BEGIN SELECT RAISE(ABORT, 'purges are kept as made'); END;
CREATE TRIGGER client_purges_not_deleted BEFORE DELETE ON client_purges
    BEGIN SELECT RAISE(ABORT, 'purges are kept'); END;

-- The rows kept for good stay kept, unless their client is being purged.

DROP TRIGGER glass_breaks_kept;
CREATE TRIGGER glass_breaks_kept BEFORE DELETE ON glass_breaks
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'glass breaks are kept'); END;

DROP TRIGGER notes_are_kept;
CREATE TRIGGER notes_are_kept BEFORE DELETE ON notes
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'notes are kept'); END;

DROP TRIGGER note_versions_not_deleted;
CREATE TRIGGER note_versions_not_deleted BEFORE DELETE ON note_versions
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT client_id FROM notes WHERE practice_id = OLD.practice_id AND id = OLD.note_id))
    BEGIN SELECT RAISE(ABORT, 'note versions are kept'); END;

DROP TRIGGER note_addenda_not_deleted;
CREATE TRIGGER note_addenda_not_deleted BEFORE DELETE ON note_addenda
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT client_id FROM notes WHERE practice_id = OLD.practice_id AND id = OLD.note_id))
    BEGIN SELECT RAISE(ABORT, 'addenda are kept'); END;

DROP TRIGGER treatment_plan_versions_not_deleted;
CREATE TRIGGER treatment_plan_versions_not_deleted BEFORE DELETE ON treatment_plan_versions
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT client_id FROM treatment_plans WHERE practice_id = OLD.practice_id AND id = OLD.plan_id))
    BEGIN SELECT RAISE(ABORT, 'plan versions are kept'); END;

DROP TRIGGER documents_not_deleted;
CREATE TRIGGER documents_not_deleted BEFORE DELETE ON documents
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'documents are kept'); END;

DROP TRIGGER disclosures_not_deleted;
CREATE TRIGGER disclosures_not_deleted BEFORE DELETE ON disclosures
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'disclosures are kept'); END;

DROP TRIGGER consents_not_deleted;
CREATE TRIGGER consents_not_deleted BEFORE DELETE ON consents
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'consents are kept'); END;

DROP TRIGGER ai_consents_not_deleted;
CREATE TRIGGER ai_consents_not_deleted BEFORE DELETE ON ai_consents
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'AI consents are kept'); END;

DROP TRIGGER messages_not_deleted;
CREATE TRIGGER messages_not_deleted BEFORE DELETE ON messages
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT client_id FROM message_threads WHERE practice_id = OLD.practice_id AND id = OLD.thread_id))
    BEGIN SELECT RAISE(ABORT, 'messages are kept'); END;

DROP TRIGGER message_attachments_not_deleted;
CREATE TRIGGER message_attachments_not_deleted BEFORE DELETE ON message_attachments
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT t.client_id FROM messages m JOIN message_threads t ON t.practice_id = m.practice_id AND t.id = m.thread_id WHERE m.practice_id = OLD.practice_id AND m.id = OLD.message_id))
    BEGIN SELECT RAISE(ABORT, 'attachments are kept'); END;

DROP TRIGGER message_filings_not_deleted;
CREATE TRIGGER message_filings_not_deleted BEFORE DELETE ON message_filings
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT t.client_id FROM messages m JOIN message_threads t ON t.practice_id = m.practice_id AND t.id = m.thread_id WHERE m.practice_id = OLD.practice_id AND m.id = OLD.message_id))
    BEGIN SELECT RAISE(ABORT, 'filings are kept'); END;

DROP TRIGGER intake_signatures_not_deleted;
CREATE TRIGGER intake_signatures_not_deleted BEFORE DELETE ON intake_signatures
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = (SELECT client_id FROM intake_packets WHERE practice_id = OLD.practice_id AND id = OLD.packet_id))
    BEGIN SELECT RAISE(ABORT, 'signatures are kept'); END;

DROP TRIGGER ai_requests_kept_with_their_audit_years;
CREATE TRIGGER ai_requests_kept_with_their_audit_years BEFORE DELETE ON ai_requests
WHEN OLD.created_at >= COALESCE((
    SELECT CASE WHEN l.dropped_below = 0 THEN 0 ELSE i.recorded END
    FROM audit_logs l JOIN audit_index i ON i.practice_id = l.practice_id AND i.seq = l.dropped_below
    WHERE l.practice_id = OLD.practice_id), 0)
    AND NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
BEGIN SELECT RAISE(ABORT, 'AI requests are kept with the audit log'); END;

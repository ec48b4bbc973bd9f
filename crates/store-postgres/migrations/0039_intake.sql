-- Intake packets (CR-8, SC-8): the practice's own forms, sent to a client together and signed in
-- the portal. A form's text never changes once written (a new version is a new form that
-- replaces it), so every signature can be shown beside the exact text it was given. A signature
-- (typed name, mark, time, address, the text's SHA-256) is sealed, and its signed copy is a
-- document on the record, written in the same transaction.
CREATE TABLE intake_forms (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    replaces    TEXT,
    retired_at  BIGINT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, replaces) REFERENCES intake_forms (practice_id, id)
);
CREATE FUNCTION intake_form_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.kind, NEW.title, NEW.body, NEW.created_by, NEW.created_at, NEW.replaces)
        IS DISTINCT FROM (OLD.kind, OLD.title, OLD.body, OLD.created_by, OLD.created_at, OLD.replaces) THEN
        RAISE EXCEPTION 'a form''s text is kept as written';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER intake_forms_are_kept BEFORE UPDATE ON intake_forms
    FOR EACH ROW EXECUTE FUNCTION intake_form_kept();

CREATE TABLE intake_packets (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    sent_by      TEXT NOT NULL,
    sent_at      BIGINT NOT NULL,
    withdrawn_at BIGINT,
    reviewed_at  BIGINT,
    reviewed_by  TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, sent_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, reviewed_by) REFERENCES memberships (practice_id, user_id),
    CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL)),
    CHECK (reviewed_at IS NULL OR withdrawn_at IS NULL)
);
CREATE INDEX intake_packets_of_client ON intake_packets (practice_id, client_id, sent_at);

-- One row per form of a packet, signed or not yet.
CREATE TABLE intake_signatures (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    packet_id   TEXT NOT NULL,
    form_id     TEXT NOT NULL,
    position    BIGINT NOT NULL,
    signed_at   BIGINT,
    signature   BYTEA,
    document_id TEXT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, packet_id, form_id),
    FOREIGN KEY (practice_id, packet_id) REFERENCES intake_packets (practice_id, id),
    FOREIGN KEY (practice_id, form_id) REFERENCES intake_forms (practice_id, id),
    FOREIGN KEY (practice_id, document_id) REFERENCES documents (practice_id, id),
    CHECK ((signed_at IS NULL) = (signature IS NULL)),
    CHECK ((signed_at IS NULL) = (document_id IS NULL))
);
-- Once signed, a signature stays (re-sealing by a key rotation aside).
CREATE FUNCTION intake_signature_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL AND (NEW.packet_id, NEW.form_id, NEW.signed_at, NEW.document_id)
        IS DISTINCT FROM (OLD.packet_id, OLD.form_id, OLD.signed_at, OLD.document_id) THEN
        RAISE EXCEPTION 'signatures are kept';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER intake_signatures_are_kept BEFORE UPDATE ON intake_signatures
    FOR EACH ROW EXECUTE FUNCTION intake_signature_kept();
REVOKE DELETE, TRUNCATE ON intake_forms, intake_signatures FROM CURRENT_USER;

ALTER TABLE intake_forms ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_forms FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON intake_forms
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE intake_packets ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_packets FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON intake_packets
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE intake_signatures ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_signatures FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON intake_signatures
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

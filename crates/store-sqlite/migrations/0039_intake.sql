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
    created_at  INTEGER NOT NULL,
    replaces    TEXT,
    retired_at  INTEGER,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, replaces) REFERENCES intake_forms (practice_id, id)
) STRICT;
CREATE TRIGGER intake_forms_are_kept BEFORE UPDATE OF kind, title, body, created_by, created_at, replaces
    ON intake_forms BEGIN SELECT RAISE(ABORT, 'a form''s text is kept as written'); END;
CREATE TRIGGER intake_forms_not_deleted BEFORE DELETE ON intake_forms
    BEGIN SELECT RAISE(ABORT, 'forms are kept'); END;

CREATE TABLE intake_packets (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    sent_by      TEXT NOT NULL,
    sent_at      INTEGER NOT NULL,
    withdrawn_at INTEGER,
    reviewed_at  INTEGER,
    reviewed_by  TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, sent_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, reviewed_by) REFERENCES memberships (practice_id, user_id),
    CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL)),
    CHECK (reviewed_at IS NULL OR withdrawn_at IS NULL)
) STRICT;
CREATE INDEX intake_packets_of_client ON intake_packets (practice_id, client_id, sent_at);

-- One row per form of a packet, signed or not yet.
CREATE TABLE intake_signatures (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    packet_id   TEXT NOT NULL,
    form_id     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    signed_at   INTEGER,
    signature   BLOB,
    document_id TEXT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, packet_id, form_id),
    FOREIGN KEY (practice_id, packet_id) REFERENCES intake_packets (practice_id, id),
    FOREIGN KEY (practice_id, form_id) REFERENCES intake_forms (practice_id, id),
    FOREIGN KEY (practice_id, document_id) REFERENCES documents (practice_id, id),
    CHECK ((signed_at IS NULL) = (signature IS NULL)),
    CHECK ((signed_at IS NULL) = (document_id IS NULL))
) STRICT;
-- Once signed, a signature stays (re-sealing by a key rotation aside).
CREATE TRIGGER intake_signatures_are_kept BEFORE UPDATE OF packet_id, form_id, signed_at, document_id
    ON intake_signatures WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signatures are kept'); END;
CREATE TRIGGER intake_signatures_not_deleted BEFORE DELETE ON intake_signatures
    BEGIN SELECT RAISE(ABORT, 'signatures are kept'); END;

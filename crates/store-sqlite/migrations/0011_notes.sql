-- Clinical notes (CR-4): a draft is saved from the version it was read at; signing locks it;
-- afterwards only addenda attach. Every saved version is kept (note_versions), as are addenda.
-- Contents are sealed (template, session date and fields as one value).
CREATE TABLE notes (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    author      TEXT NOT NULL,
    template    TEXT NOT NULL,
    content     BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    signed_at   INTEGER,
    late        INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    -- The supervisor asked to co-sign when it was signed, and when they did.
    cosigner    TEXT,
    cosigned_at INTEGER,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, author) REFERENCES memberships (practice_id, user_id),
    CHECK ((status = 'signed') = (signed_at IS NOT NULL))
) STRICT;
CREATE INDEX notes_by_client ON notes (practice_id, client_id, created_at);
CREATE INDEX notes_to_cosign ON notes (practice_id, cosigner) WHERE cosigner IS NOT NULL AND cosigned_at IS NULL;

CREATE TABLE note_versions (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    note_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    content     BLOB NOT NULL,
    saved_at    INTEGER NOT NULL,
    saved_by    TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, note_id, version),
    FOREIGN KEY (practice_id, note_id) REFERENCES notes (practice_id, id)
) STRICT;

CREATE TABLE note_addenda (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    note_id     TEXT NOT NULL,
    author      TEXT NOT NULL,
    content     BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, note_id) REFERENCES notes (practice_id, id),
    FOREIGN KEY (practice_id, author) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX note_addenda_by_note ON note_addenda (practice_id, note_id, created_at);

-- A signed note is locked at the database too: nothing about it changes but the co-signature
-- and the re-sealing of the same content under a new key (which keeps its version). Versions
-- and addenda are never changed or removed.
CREATE TRIGGER notes_signed_are_locked BEFORE UPDATE ON notes
    WHEN OLD.status = 'signed' AND (NEW.status <> 'signed' OR NEW.version <> OLD.version
        OR NEW.template <> OLD.template OR NEW.author <> OLD.author OR NEW.client_id <> OLD.client_id
        OR NEW.signed_at <> OLD.signed_at OR NEW.late <> OLD.late OR NEW.updated_at <> OLD.updated_at)
    BEGIN SELECT RAISE(ABORT, 'a signed note is locked'); END;
CREATE TRIGGER notes_are_kept BEFORE DELETE ON notes
    BEGIN SELECT RAISE(ABORT, 'notes are kept'); END;
CREATE TRIGGER note_versions_are_kept BEFORE UPDATE OF note_id, version, saved_at, saved_by ON note_versions
    BEGIN SELECT RAISE(ABORT, 'note versions are kept as saved'); END;
CREATE TRIGGER note_versions_not_deleted BEFORE DELETE ON note_versions
    BEGIN SELECT RAISE(ABORT, 'note versions are kept'); END;
CREATE TRIGGER note_addenda_are_kept BEFORE UPDATE OF note_id, author, created_at ON note_addenda
    BEGIN SELECT RAISE(ABORT, 'addenda are kept as written'); END;
CREATE TRIGGER note_addenda_not_deleted BEFORE DELETE ON note_addenda
    BEGIN SELECT RAISE(ABORT, 'addenda are kept'); END;

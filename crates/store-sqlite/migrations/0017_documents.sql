-- Documents (CR-8): each row describes one file on a client's record. The description (title,
-- file name, type, size, digest) is sealed, and so is the key made for that document alone; the
-- content, sealed under that key, is a file beside the database. The kind is plain: it decides
-- who may see the document, and names no one. Documents are kept as uploaded.
CREATE TABLE documents (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      BLOB NOT NULL,
    content_key BLOB NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, uploaded_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX documents_of_client ON documents (practice_id, client_id, uploaded_at);
-- Re-sealing by a key rotation aside, a document stays as it was uploaded.
CREATE TRIGGER documents_are_kept BEFORE UPDATE OF client_id, kind, uploaded_at, uploaded_by
    ON documents BEGIN SELECT RAISE(ABORT, 'documents are kept as uploaded'); END;
CREATE TRIGGER documents_not_deleted BEFORE DELETE ON documents
    BEGIN SELECT RAISE(ABORT, 'documents are kept'); END;

-- Documents (CR-8): each row describes one file on a client's record. The description (title,
-- file name, type, size, digest) is sealed, and so is the key made for that document alone; the
-- content, sealed under that key, is a file beside the database. The kind is plain: it decides
-- who may see the document, and names no one. Documents are kept as uploaded.
CREATE TABLE documents (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      BYTEA NOT NULL,
    content_key BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, uploaded_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX documents_of_client ON documents (practice_id, client_id, uploaded_at);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON documents
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
-- Re-sealing by a key rotation aside, a document stays as it was uploaded.
REVOKE DELETE, TRUNCATE ON documents FROM CURRENT_USER;

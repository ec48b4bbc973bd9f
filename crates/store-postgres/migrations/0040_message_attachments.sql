-- A message may carry one file (SC-7), held to the limits of a chart document: described in a
-- sealed detail, its content sealed under a key of its own in a file beside the database. A
-- message filed into the chart by the care team is recorded once, with the document it became.
CREATE TABLE message_attachments (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    detail      BYTEA NOT NULL,
    content_key BYTEA NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, message_id) REFERENCES messages (practice_id, id)
);
CREATE UNIQUE INDEX message_attachments_of_message ON message_attachments (practice_id, message_id);
CREATE FUNCTION message_attachment_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.message_id IS DISTINCT FROM OLD.message_id THEN
        RAISE EXCEPTION 'attachments are kept as sent';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER message_attachments_are_kept BEFORE UPDATE ON message_attachments
    FOR EACH ROW EXECUTE FUNCTION message_attachment_kept();

CREATE TABLE message_filings (
    practice_id TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    document_id TEXT NOT NULL,
    filed_at    BIGINT NOT NULL,
    filed_by    TEXT NOT NULL,
    PRIMARY KEY (practice_id, message_id),
    FOREIGN KEY (practice_id, message_id) REFERENCES messages (practice_id, id),
    FOREIGN KEY (practice_id, document_id) REFERENCES documents (practice_id, id),
    FOREIGN KEY (practice_id, filed_by) REFERENCES memberships (practice_id, user_id)
);
REVOKE UPDATE, DELETE, TRUNCATE ON message_filings FROM CURRENT_USER;
REVOKE DELETE, TRUNCATE ON message_attachments FROM CURRENT_USER;

ALTER TABLE message_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON message_attachments
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE message_filings ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_filings FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON message_filings
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

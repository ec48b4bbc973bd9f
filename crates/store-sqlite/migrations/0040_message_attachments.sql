-- A message may carry one file (SC-7), held to the limits of a chart document: described in a
-- sealed detail, its content sealed under a key of its own in a file beside the database. A
-- message filed into the chart by the care team is recorded once, with the document it became.
CREATE TABLE message_attachments (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    detail      BLOB NOT NULL,
    content_key BLOB NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, message_id) REFERENCES messages (practice_id, id)
) STRICT;
CREATE UNIQUE INDEX message_attachments_of_message ON message_attachments (practice_id, message_id);
CREATE TRIGGER message_attachments_are_kept BEFORE UPDATE OF message_id ON message_attachments
    BEGIN SELECT RAISE(ABORT, 'attachments are kept as sent'); END;
CREATE TRIGGER message_attachments_not_deleted BEFORE DELETE ON message_attachments
    BEGIN SELECT RAISE(ABORT, 'attachments are kept'); END;

CREATE TABLE message_filings (
    practice_id TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    document_id TEXT NOT NULL,
    filed_at    INTEGER NOT NULL,
    filed_by    TEXT NOT NULL,
    PRIMARY KEY (practice_id, message_id),
    FOREIGN KEY (practice_id, message_id) REFERENCES messages (practice_id, id),
    FOREIGN KEY (practice_id, document_id) REFERENCES documents (practice_id, id),
    FOREIGN KEY (practice_id, filed_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE TRIGGER message_filings_are_kept BEFORE UPDATE ON message_filings
    BEGIN SELECT RAISE(ABORT, 'filings are kept'); END;
CREATE TRIGGER message_filings_not_deleted BEFORE DELETE ON message_filings
    BEGIN SELECT RAISE(ABORT, 'filings are kept'); END;

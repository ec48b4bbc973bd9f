-- Secure messages between a client and their care team (SC-7): threads with a sealed subject,
-- messages with a sealed body, each written by a staff member or the client's portal account.
-- A message is never changed but for its first reading's mark (and its body sealed again under
-- a new key, unchanged), and never deleted.
CREATE TABLE message_threads (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    subject         BLOB NOT NULL,
    started_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX message_threads_of_client ON message_threads (practice_id, client_id, last_message_at);

CREATE TABLE messages (
    practice_id       TEXT NOT NULL,
    id                TEXT NOT NULL,
    thread_id         TEXT NOT NULL,
    from_client       INTEGER NOT NULL CHECK (from_client IN (0, 1)),
    author_id         TEXT NOT NULL,
    body              BLOB NOT NULL,
    sent_at           INTEGER NOT NULL,
    read_at           INTEGER,
    read_by           TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, thread_id) REFERENCES message_threads (practice_id, id)
) STRICT;
CREATE INDEX messages_of_thread ON messages (practice_id, thread_id, sent_at);
CREATE INDEX messages_unread ON messages (practice_id, thread_id) WHERE read_at IS NULL;
CREATE TRIGGER messages_kept_as_sent BEFORE UPDATE ON messages
    WHEN NEW.author_id IS NOT OLD.author_id OR NEW.thread_id IS NOT OLD.thread_id
        OR NEW.sent_at IS NOT OLD.sent_at OR NEW.from_client IS NOT OLD.from_client
        OR (OLD.read_at IS NOT NULL AND (NEW.read_at IS NOT OLD.read_at OR NEW.read_by IS NOT OLD.read_by))
    BEGIN SELECT RAISE(ABORT, 'a message is kept as sent; only its first reading is marked'); END;
CREATE TRIGGER messages_not_deleted BEFORE DELETE ON messages
    BEGIN SELECT RAISE(ABORT, 'messages are kept'); END;

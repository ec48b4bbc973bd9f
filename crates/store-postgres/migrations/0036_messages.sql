-- Secure messages between a client and their care team (SC-7): threads with a sealed subject,
-- messages with a sealed body, each written by a staff member or the client's portal account.
-- A message is never changed but for its first reading's mark (and its body sealed again under
-- a new key, unchanged), and never deleted.
CREATE TABLE message_threads (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    subject         BYTEA NOT NULL,
    started_at      BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX message_threads_of_client ON message_threads (practice_id, client_id, last_message_at);

CREATE TABLE messages (
    practice_id       TEXT NOT NULL,
    id                TEXT NOT NULL,
    thread_id         TEXT NOT NULL,
    from_client       BIGINT NOT NULL CHECK (from_client IN (0, 1)),
    author_id         TEXT NOT NULL,
    body              BYTEA NOT NULL,
    sent_at           BIGINT NOT NULL,
    read_at           BIGINT,
    read_by           TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, thread_id) REFERENCES message_threads (practice_id, id)
);
CREATE INDEX messages_of_thread ON messages (practice_id, thread_id, sent_at);
CREATE INDEX messages_unread ON messages (practice_id, thread_id) WHERE read_at IS NULL;
CREATE FUNCTION message_kept_as_sent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.author_id, NEW.thread_id, NEW.sent_at, NEW.from_client)
        IS DISTINCT FROM (OLD.author_id, OLD.thread_id, OLD.sent_at, OLD.from_client)
        OR (OLD.read_at IS NOT NULL AND (NEW.read_at, NEW.read_by) IS DISTINCT FROM (OLD.read_at, OLD.read_by)) THEN
        RAISE EXCEPTION 'a message is kept as sent; only its first reading is marked';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER messages_kept_as_sent BEFORE UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION message_kept_as_sent();
REVOKE DELETE, TRUNCATE ON messages, message_threads FROM CURRENT_USER;

ALTER TABLE message_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_threads FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON message_threads
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON messages
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

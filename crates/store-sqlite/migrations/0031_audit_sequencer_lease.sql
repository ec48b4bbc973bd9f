-- With several servers on one database, one of them sequences every log (AUDIT.md §4): it
-- holds this lease, renewing it well before it expires; the others hand their events over
-- through the outbox and wait for them to be taken. One row at most.
CREATE TABLE audit_sequencer_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Card payments taken on the processor's hosted page (BI-7): each checkout Haven started, for
-- which client and how much, and once the processor says it was paid (or it expired) how it
-- ended and the client payment it became. The card itself never reaches Haven.
CREATE TABLE card_checkouts (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 100000000),
    processor_id TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    started_by   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'paid', 'expired')),
    payment_id   TEXT,
    settled_at   BIGINT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, processor_id),
    CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX card_checkouts_of_client ON card_checkouts (practice_id, client_id, started_at);

ALTER TABLE card_checkouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE card_checkouts FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON card_checkouts
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

-- What clients pay, what is refunded to them and what the practice writes off (BI-7), beside
-- what they owe (their share from remittances, self-pay charges). Each is kept as recorded: a
-- mistake is put right by an entry the other way, and only a client's purge removes them (its
-- transaction grants itself DELETE for that).
CREATE TABLE client_payments (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'write_off')),
    received_on  TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 100000000),
    method       TEXT NOT NULL CHECK (method IN ('cash', 'check', 'card', 'transfer', 'none')),
    reason       TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    CHECK ((kind = 'write_off') = (method = 'none')),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX client_payments_of_client ON client_payments (practice_id, client_id, received_on);
REVOKE UPDATE, DELETE, TRUNCATE ON client_payments FROM CURRENT_USER;

ALTER TABLE client_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON client_payments
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

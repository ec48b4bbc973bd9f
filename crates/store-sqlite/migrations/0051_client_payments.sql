-- What clients pay, what is refunded to them and what the practice writes off (BI-7), beside
-- what they owe (their share from remittances, self-pay charges). Each is kept as recorded: a
-- mistake is put right by an entry the other way, and only a client's purge removes them.
CREATE TABLE client_payments (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'write_off')),
    received_on  TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 100000000),
    method       TEXT NOT NULL CHECK (method IN ('cash', 'check', 'card', 'transfer', 'none')),
    reason       TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    CHECK ((kind = 'write_off') = (method = 'none')),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX client_payments_of_client ON client_payments (practice_id, client_id, received_on);
CREATE TRIGGER client_payments_kept BEFORE UPDATE ON client_payments
    BEGIN SELECT RAISE(ABORT, 'payments are kept as recorded'); END;
CREATE TRIGGER client_payments_not_deleted BEFORE DELETE ON client_payments
    WHEN NOT EXISTS (SELECT 1 FROM client_purges p WHERE p.practice_id = OLD.practice_id AND p.client_id = OLD.client_id)
    BEGIN SELECT RAISE(ABORT, 'payments are kept'); END;

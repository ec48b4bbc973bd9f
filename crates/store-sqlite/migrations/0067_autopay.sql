-- Cards on file and autopay for payment plans (BI-7). A client saves a card on the card
-- processor's hosted page; Haven keeps the processor's ids for the customer and the card, and its
-- brand, last four digits and expiry to show — never the number. At most one card on file per
-- client; a removed one is kept, with who removed it and when.
CREATE TABLE saved_cards (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    setup_id    TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    started_by  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'saved', 'expired', 'removed')),
    customer    TEXT,
    method      TEXT,
    brand       TEXT,
    last4       TEXT CHECK (last4 IS NULL OR (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*')),
    exp_month   INTEGER CHECK (exp_month IS NULL OR exp_month BETWEEN 1 AND 12),
    exp_year    INTEGER,
    saved_at    INTEGER,
    removed_at  INTEGER,
    removed_by  TEXT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, setup_id),
    CHECK ((status IN ('saved', 'removed')) = (method IS NOT NULL AND customer IS NOT NULL)),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE UNIQUE INDEX saved_cards_one_per_client ON saved_cards (practice_id, client_id) WHERE status = 'saved';

-- A plan whose installments are charged to the card on file on their days: since when, and who
-- authorized it (a staff member's id, or `portal:{account}`).
ALTER TABLE payment_plans ADD COLUMN autopay_since INTEGER;
ALTER TABLE payment_plans ADD COLUMN autopay_by TEXT;

-- Each charge of a plan to the card on file, one per installment day: claimed before the
-- processor is asked (its id is the processor's idempotency key, so a retry after a lost answer
-- never charges twice, and two servers never claim one day), then how it ended.
CREATE TABLE autopay_charges (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 100000000),
    claimed_at   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('charging', 'paid', 'declined')),
    payment_id   TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    settled_at   INTEGER,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, plan_id, due_on),
    CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX autopay_charges_of_client ON autopay_charges (practice_id, client_id, claimed_at);

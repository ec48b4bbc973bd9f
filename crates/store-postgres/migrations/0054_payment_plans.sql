-- Payment plans (BI-7): what a client agreed to pay in monthly installments, from a first due
-- day. At most one plan of a client is open; an ended plan is kept, with who ended it and when.
CREATE TABLE payment_plans (
    practice_id       TEXT NOT NULL,
    id                TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    total_cents       BIGINT NOT NULL CHECK (total_cents > 0 AND total_cents <= 100000000),
    installment_cents BIGINT NOT NULL CHECK (installment_cents > 0 AND installment_cents <= total_cents),
    first_due         TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL,
    ended_at          BIGINT,
    ended_by          TEXT,
    PRIMARY KEY (practice_id, id),
    CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE UNIQUE INDEX payment_plans_one_open ON payment_plans (practice_id, client_id) WHERE ended_at IS NULL;

ALTER TABLE payment_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON payment_plans
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

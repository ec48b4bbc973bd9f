-- Remittance advice (835) as imported: one row per payment (a transaction set), kept sealed,
-- never twice (the payer's trace number is unique per payer); each claim it pays or denies,
-- with its adjustments and remarks; and what the client owes from it, on their ledger.
CREATE TABLE remittances (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    originator   TEXT NOT NULL,
    trace        TEXT NOT NULL,
    payer_name   TEXT NOT NULL,
    paid_on      TEXT NOT NULL,
    method       TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL,
    imported_by  TEXT NOT NULL,
    content      BYTEA NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, originator, trace)
);

CREATE TABLE claim_payments (
    practice_id        TEXT NOT NULL,
    id                 TEXT NOT NULL,
    remittance_id      TEXT NOT NULL,
    claim_id           TEXT NOT NULL,
    status             TEXT NOT NULL,
    charge_cents       BIGINT NOT NULL,
    paid_cents         BIGINT NOT NULL,
    patient_cents      BIGINT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    -- JSON: [{"group": "CO", "reason": "45", "amount": 5000, "line": "H0000001-1"}, …]
    adjustments        TEXT NOT NULL,
    -- Remark codes (RARC), comma-separated.
    remarks            TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, remittance_id) REFERENCES remittances (practice_id, id),
    FOREIGN KEY (practice_id, claim_id) REFERENCES claims (practice_id, id)
);
CREATE INDEX claim_payments_of_claim ON claim_payments (practice_id, claim_id);

-- A claim's payer number and where it stands after its remittance.
ALTER TABLE claims ADD COLUMN payer_claim_number TEXT;

CREATE TABLE ledger_entries (
    practice_id   TEXT NOT NULL,
    id            TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('patient_responsibility')),
    amount_cents  BIGINT NOT NULL,
    claim_id      TEXT,
    remittance_id TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX ledger_of_client ON ledger_entries (practice_id, client_id, at);

ALTER TABLE remittances ENABLE ROW LEVEL SECURITY;
ALTER TABLE remittances FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON remittances
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE claim_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON claim_payments
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON ledger_entries
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

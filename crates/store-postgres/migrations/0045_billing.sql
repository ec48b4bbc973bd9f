-- Billing: the practice's billing settings and its control-number counters, clinicians'
-- billing identifiers, payers and fees, a charge per client per attended session, and claims
-- sent in batches whose file is kept, sealed. Money is integer cents.
CREATE TABLE billing_settings (
    practice_id      TEXT PRIMARY KEY REFERENCES practices (id),
    taxonomy         TEXT NOT NULL,
    zip_plus_four    TEXT NOT NULL,
    submitter_id     TEXT NOT NULL,
    receiver_name    TEXT NOT NULL,
    receiver_id      TEXT NOT NULL,
    contact_name     TEXT NOT NULL,
    contact_phone    TEXT NOT NULL,
    -- The next interchange (ISA13) and claim numbers: never reused, across restarts.
    next_interchange BIGINT NOT NULL DEFAULT 1 CHECK (next_interchange BETWEEN 1 AND 999999999),
    next_claim       BIGINT NOT NULL DEFAULT 1 CHECK (next_claim >= 1),
    version          BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE billing_clinicians (
    practice_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    npi         TEXT NOT NULL,
    taxonomy    TEXT NOT NULL,
    PRIMARY KEY (practice_id, user_id),
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);

CREATE TABLE payers (
    practice_id        TEXT NOT NULL,
    id                 TEXT NOT NULL,
    name               TEXT NOT NULL,
    electronic_id      TEXT NOT NULL,
    filing_indicator   TEXT NOT NULL,
    timely_filing_days BIGINT NOT NULL CHECK (timely_filing_days BETWEEN 30 AND 730),
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, name)
);

-- `payer` is a payer's id, or 'self' for the self-pay rate.
CREATE TABLE fees (
    practice_id    TEXT NOT NULL,
    payer          TEXT NOT NULL,
    service_code   TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents BETWEEN 0 AND 1000000000),
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    PRIMARY KEY (practice_id, payer, service_code, effective_from)
);

CREATE TABLE charges (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    appointment_id  TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    clinician_id    TEXT NOT NULL,
    service_date    TEXT NOT NULL,
    service_code    TEXT NOT NULL,
    modifiers       TEXT NOT NULL,
    units           BIGINT NOT NULL CHECK (units BETWEEN 1 AND 999),
    place_of_service TEXT NOT NULL,
    amount_cents    BIGINT NOT NULL CHECK (amount_cents BETWEEN 0 AND 1000000000),
    payer           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    claim_id        TEXT,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, appointment_id, client_id),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
);
CREATE INDEX charges_by_date ON charges (practice_id, service_date);

CREATE TABLE claim_batches (
    practice_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    interchange  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    claims       BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, interchange)
);

CREATE TABLE claims (
    practice_id   TEXT NOT NULL,
    id            TEXT NOT NULL,
    number        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    payer_id      TEXT NOT NULL,
    charge_id     TEXT NOT NULL,
    service_date  TEXT NOT NULL,
    total_cents   BIGINT NOT NULL,
    batch_id      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('sent', 'paid', 'denied', 'void')),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, number),
    FOREIGN KEY (practice_id, batch_id) REFERENCES claim_batches (practice_id, id),
    FOREIGN KEY (practice_id, charge_id) REFERENCES charges (practice_id, id)
);
-- What payers owe, by payer and date of service, read from the index alone (AR aging).
CREATE INDEX claims_owed ON claims (practice_id, status, payer_id, service_date, total_cents);

ALTER TABLE billing_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON billing_settings
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE billing_clinicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_clinicians FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON billing_clinicians
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE payers ENABLE ROW LEVEL SECURITY;
ALTER TABLE payers FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON payers
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE fees ENABLE ROW LEVEL SECURITY;
ALTER TABLE fees FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON fees
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE charges ENABLE ROW LEVEL SECURITY;
ALTER TABLE charges FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON charges
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE claim_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON claim_batches
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE claims FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON claims
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

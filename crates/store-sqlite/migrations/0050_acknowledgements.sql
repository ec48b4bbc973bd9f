-- What the clearinghouse said of what Haven sent (BI-6): a 999's verdict on a batch, a 277CA's
-- on a claim. The words (errors and statuses, which may quote what was sent) are sealed. One
-- file is read once: `source` is its sender and interchange number.
CREATE TABLE claim_acknowledgements (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    id          TEXT NOT NULL,
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('999', '277CA')),
    batch_id    TEXT,
    claim_id    TEXT,
    verdict     TEXT NOT NULL CHECK (verdict IN ('accepted', 'accepted_with_errors', 'rejected')),
    detail      BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    received_by TEXT,
    PRIMARY KEY (practice_id, id),
    CHECK ((kind = '999') = (batch_id IS NOT NULL) AND (kind = '277CA') = (claim_id IS NOT NULL)),
    FOREIGN KEY (practice_id, batch_id) REFERENCES claim_batches (practice_id, id),
    FOREIGN KEY (practice_id, claim_id) REFERENCES claims (practice_id, id)
) STRICT;
CREATE UNIQUE INDEX claim_acknowledgements_once
    ON claim_acknowledgements (practice_id, source, kind, COALESCE(batch_id, claim_id));
CREATE INDEX claim_acknowledgements_newest ON claim_acknowledgements (practice_id, received_at);

-- Each time a batch was left with the clearinghouse (BI-6), by whom, and where.
CREATE TABLE batch_submissions (
    practice_id  TEXT NOT NULL,
    batch_id     TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    submitted_by TEXT NOT NULL,
    clearinghouse TEXT NOT NULL,
    PRIMARY KEY (practice_id, batch_id, submitted_at),
    FOREIGN KEY (practice_id, batch_id) REFERENCES claim_batches (practice_id, id)
) STRICT;

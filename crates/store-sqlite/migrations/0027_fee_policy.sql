-- The practice's attendance policy (SC-5): the notice a cancellation needs and the fees, in
-- cents, for a late cancellation and a missed session. One row per practice, the owner's.
CREATE TABLE fee_policies (
    practice_id     TEXT NOT NULL PRIMARY KEY,
    notice_hours    INTEGER NOT NULL CHECK (notice_hours BETWEEN 0 AND 168),
    late_cancel_fee INTEGER NOT NULL CHECK (late_cancel_fee BETWEEN 0 AND 100000),
    no_show_fee     INTEGER NOT NULL CHECK (no_show_fee BETWEEN 0 AND 100000),
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT NOT NULL,
    FOREIGN KEY (practice_id, updated_by) REFERENCES memberships (practice_id, user_id)
) STRICT;

-- The clinical record begins (CR-1, CR-2, IA-9): more of a client, who cares for them, and
-- emergency access outside a caseload.

-- The rest of a client's demographics (preferred name, pronouns, address, contact consents,
-- emergency contact, referral source) as one sealed value, bound like the other columns.
-- `status` and `version` are not PHI beyond the row's existence; `version` rises with each
-- change, so an edit from a stale form is refused, not lost.
ALTER TABLE clients ADD COLUMN profile BYTEA;
ALTER TABLE clients ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('prospect', 'active', 'discharged'));
ALTER TABLE clients ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN updated_at BIGINT;

-- The care team: at most one primary clinician, other clinicians, supervisors. Minimum
-- necessary (IA-8) is decided from these rows.
CREATE TABLE care_team (
    practice_id TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('primary', 'clinician', 'supervisor')),
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (practice_id, client_id, user_id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE UNIQUE INDEX care_team_one_primary ON care_team (practice_id, client_id) WHERE role = 'primary';
CREATE INDEX care_team_by_user ON care_team (practice_id, user_id, client_id);

-- Break-the-glass (IA-9): who opened which chart outside their caseload, why (sealed: a typed
-- reason may name anyone), until when, and the owner's review of it. Never deleted.
CREATE TABLE glass_breaks (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    reason      BYTEA NOT NULL,
    started_at  BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL CHECK (ends_at > started_at),
    review      TEXT CHECK (review IN ('accepted', 'flagged')),
    reviewed_by TEXT,
    reviewed_at BIGINT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX glass_breaks_by_user ON glass_breaks (practice_id, user_id, client_id, ends_at);
CREATE INDEX glass_breaks_unreviewed ON glass_breaks (practice_id, started_at) WHERE review IS NULL;
CREATE FUNCTION glass_breaks_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'glass breaks are kept';
END $$;
CREATE TRIGGER glass_breaks_kept BEFORE DELETE ON glass_breaks
    FOR EACH ROW EXECUTE FUNCTION glass_breaks_kept();
REVOKE DELETE, TRUNCATE ON glass_breaks FROM CURRENT_USER;

ALTER TABLE care_team ENABLE ROW LEVEL SECURITY;
ALTER TABLE care_team FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON care_team
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE glass_breaks ENABLE ROW LEVEL SECURITY;
ALTER TABLE glass_breaks FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON glass_breaks
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

-- How long a break of the glass lasts, set by the owner (5 to 480 minutes).
ALTER TABLE practices ADD COLUMN break_glass_minutes BIGINT NOT NULL DEFAULT 60;

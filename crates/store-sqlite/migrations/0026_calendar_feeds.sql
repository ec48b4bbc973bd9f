-- Calendar feeds: a clinician's secret iCalendar link. Only the token's SHA-256 is kept; a new
-- link replaces the old one and revoking deletes it. A feed is found by its hash before the
-- practice is known, so (like API tokens) this table is outside row-level security.
CREATE TABLE calendar_feeds (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    practice_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (practice_id, user_id),
    FOREIGN KEY (practice_id, user_id) REFERENCES memberships (practice_id, user_id)
) STRICT;

-- How much the practice's feeds say (domain::feed::Detail), the owner's choice.
CREATE TABLE feed_settings (
    practice_id TEXT NOT NULL PRIMARY KEY,
    detail      TEXT NOT NULL CHECK (detail IN ('busy', 'initials', 'names')),
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    FOREIGN KEY (practice_id, updated_by) REFERENCES memberships (practice_id, user_id)
) STRICT;

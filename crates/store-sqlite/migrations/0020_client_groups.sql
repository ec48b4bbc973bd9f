-- Couples and families (CR-2): a group's label is sealed (it names a family); its kind and its
-- members (client ids) are plain, so a client's groups are found without opening anything.
CREATE TABLE client_groups (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('couple', 'family')),
    label       BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id)
) STRICT;

CREATE TABLE client_group_members (
    practice_id TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (practice_id, group_id, client_id),
    FOREIGN KEY (practice_id, group_id) REFERENCES client_groups (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id)
) STRICT;
CREATE INDEX client_group_members_by_client ON client_group_members (practice_id, client_id);

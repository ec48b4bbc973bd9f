-- The practice's rooms (SC-3): where in-person sessions happen, so that a room is not booked
-- twice and a room's day can be seen. A room in use is archived, not deleted; its name is
-- unique among the rooms in use. An appointment names its room (office_id; `room` is the video
-- room's name).
CREATE TABLE rooms (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER,
    PRIMARY KEY (practice_id, id)
) STRICT;
CREATE UNIQUE INDEX rooms_in_use_by_name ON rooms (practice_id, name) WHERE archived_at IS NULL;
ALTER TABLE appointments ADD COLUMN office_id TEXT;

-- Requests for a client's record under the right of access (45 CFR 164.524, DL-3), tracked
-- against their 30-day deadline (60 once extended). Every field is a choice or a date: nothing
-- in a request needs sealing.
CREATE TABLE records_requests (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    client_id   TEXT NOT NULL,
    received_on TEXT NOT NULL,
    requester   TEXT NOT NULL CHECK (requester IN ('client', 'representative', 'directed_recipient')),
    extended    INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    status      TEXT NOT NULL CHECK (status IN ('open', 'answered', 'denied')),
    denial      TEXT,
    closed_on   TEXT,
    closed_by   TEXT,
    logged_by   TEXT NOT NULL,
    logged_at   INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    CHECK ((status = 'denied') = (denial IS NOT NULL)),
    CHECK ((status = 'open') = (closed_on IS NULL))
) STRICT;
CREATE INDEX records_requests_of_client ON records_requests (practice_id, client_id);

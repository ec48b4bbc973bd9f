-- AI assistance (AI-1 … AI-7). Providers: OpenAI-compatible endpoints; the key is never stored,
-- only where the server reads it. A provider that does not run here can be enabled only once its
-- BAA is on record (the check below holds it even against the service).
CREATE TABLE ai_providers (
    practice_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    model           TEXT NOT NULL,
    key_source      TEXT NOT NULL,
    runs_here       INTEGER NOT NULL CHECK (runs_here IN (0, 1)),
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    baa_sha256      TEXT,
    baa_recorded_at INTEGER,
    baa_recorded_by TEXT,
    enabled         INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    version         INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, baa_recorded_by) REFERENCES memberships (practice_id, user_id),
    CHECK (enabled = 0 OR runs_here = 1 OR baa_recorded_at IS NOT NULL)
) STRICT;

-- A client's consent to AI assistance, and what it covers beyond the ordinary record. Revoked,
-- never deleted.
CREATE TABLE ai_consents (
    practice_id         TEXT NOT NULL,
    id                  TEXT NOT NULL,
    client_id           TEXT NOT NULL,
    psychotherapy_notes INTEGER NOT NULL CHECK (psychotherapy_notes IN (0, 1)),
    part2               INTEGER NOT NULL CHECK (part2 IN (0, 1)),
    given_at            INTEGER NOT NULL,
    recorded_by         TEXT NOT NULL,
    revoked_at          INTEGER,
    revoked_by          TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, recorded_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, revoked_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX ai_consents_of_client ON ai_consents (practice_id, client_id, given_at);
CREATE TRIGGER ai_consents_revoked_once BEFORE UPDATE ON ai_consents
    WHEN OLD.revoked_at IS NOT NULL OR NEW.client_id IS NOT OLD.client_id OR NEW.given_at IS NOT OLD.given_at
        OR NEW.psychotherapy_notes IS NOT OLD.psychotherapy_notes OR NEW.part2 IS NOT OLD.part2
    BEGIN SELECT RAISE(ABORT, 'an AI consent changes only by its revocation, once'); END;
CREATE TRIGGER ai_consents_not_deleted BEFORE DELETE ON ai_consents
    BEGIN SELECT RAISE(ABORT, 'AI consents are kept'); END;

-- One request to an assistant: the clinician's text (sealed, with the draw that de-identified
-- it), the exact bytes prepared for the provider (sealed, with their hash), the model's answer
-- as it came (sealed, de-identified) and where the request stands. Kept with the audit log.
CREATE TABLE ai_requests (
    practice_id    TEXT NOT NULL,
    id             TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    note_id        TEXT,
    assistant      TEXT NOT NULL,
    provider_id    TEXT NOT NULL,
    model          TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    input          BLOB NOT NULL,
    payload        BLOB NOT NULL,
    payload_sha256 TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('prepared', 'cancelled', 'failed', 'answered', 'accepted', 'rejected')),
    answer         BLOB,
    answer_sha256  TEXT,
    failure        TEXT,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, provider_id) REFERENCES ai_providers (practice_id, id),
    FOREIGN KEY (practice_id, requested_by) REFERENCES memberships (practice_id, user_id)
) STRICT;
CREATE INDEX ai_requests_of_note ON ai_requests (practice_id, note_id, created_at);
CREATE TRIGGER ai_requests_kept BEFORE UPDATE OF client_id, note_id, assistant, provider_id, model,
        requested_by, created_at, payload_sha256 ON ai_requests
    BEGIN SELECT RAISE(ABORT, 'an AI request is kept as prepared'); END;
CREATE TRIGGER ai_requests_not_deleted BEFORE DELETE ON ai_requests
    BEGIN SELECT RAISE(ABORT, 'AI requests are kept with the audit log'); END;

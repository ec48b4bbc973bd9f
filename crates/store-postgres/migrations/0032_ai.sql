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
    runs_here       BIGINT NOT NULL CHECK (runs_here IN (0, 1)),
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    baa_sha256      TEXT,
    baa_recorded_at BIGINT,
    baa_recorded_by TEXT,
    enabled         BIGINT NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    version         BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, baa_recorded_by) REFERENCES memberships (practice_id, user_id),
    CHECK (enabled = 0 OR runs_here = 1 OR baa_recorded_at IS NOT NULL)
);

-- A client's consent to AI assistance, and what it covers beyond the ordinary record. Revoked,
-- never deleted.
CREATE TABLE ai_consents (
    practice_id         TEXT NOT NULL,
    id                  TEXT NOT NULL,
    client_id           TEXT NOT NULL,
    psychotherapy_notes BIGINT NOT NULL CHECK (psychotherapy_notes IN (0, 1)),
    part2               BIGINT NOT NULL CHECK (part2 IN (0, 1)),
    given_at            BIGINT NOT NULL,
    recorded_by         TEXT NOT NULL,
    revoked_at          BIGINT,
    revoked_by          TEXT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, recorded_by) REFERENCES memberships (practice_id, user_id),
    FOREIGN KEY (practice_id, revoked_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX ai_consents_of_client ON ai_consents (practice_id, client_id, given_at);

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
    created_at     BIGINT NOT NULL,
    input          BYTEA NOT NULL,
    payload        BYTEA NOT NULL,
    payload_sha256 TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('prepared', 'cancelled', 'failed', 'answered', 'accepted', 'rejected')),
    answer         BYTEA,
    answer_sha256  TEXT,
    failure        TEXT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES clients (practice_id, id),
    FOREIGN KEY (practice_id, provider_id) REFERENCES ai_providers (practice_id, id),
    FOREIGN KEY (practice_id, requested_by) REFERENCES memberships (practice_id, user_id)
);
CREATE INDEX ai_requests_of_note ON ai_requests (practice_id, note_id, created_at);

-- Consents change only by their revocation, once; requests only in state, answer and failure;
-- neither is deleted.
CREATE FUNCTION ai_consent_revoked_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL OR NEW.client_id IS DISTINCT FROM OLD.client_id
        OR NEW.given_at IS DISTINCT FROM OLD.given_at
        OR NEW.psychotherapy_notes IS DISTINCT FROM OLD.psychotherapy_notes
        OR NEW.part2 IS DISTINCT FROM OLD.part2 THEN
        RAISE EXCEPTION 'an AI consent changes only by its revocation, once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ai_consents_revoked_once BEFORE UPDATE ON ai_consents
    FOR EACH ROW EXECUTE FUNCTION ai_consent_revoked_once();
CREATE FUNCTION ai_request_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.client_id, NEW.note_id, NEW.assistant, NEW.provider_id, NEW.model, NEW.requested_by,
        NEW.created_at, NEW.payload_sha256) IS DISTINCT FROM (OLD.client_id, OLD.note_id, OLD.assistant,
        OLD.provider_id, OLD.model, OLD.requested_by, OLD.created_at, OLD.payload_sha256) THEN
        RAISE EXCEPTION 'an AI request is kept as prepared';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ai_requests_kept BEFORE UPDATE ON ai_requests
    FOR EACH ROW EXECUTE FUNCTION ai_request_kept();
REVOKE DELETE, TRUNCATE ON ai_consents, ai_requests FROM CURRENT_USER;

ALTER TABLE ai_providers ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_providers FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON ai_providers
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE ai_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_consents FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON ai_consents
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));
ALTER TABLE ai_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON ai_requests
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

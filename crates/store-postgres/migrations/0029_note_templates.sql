-- A practice's own note templates (CR-4): a name, the kind of note, and the fields (JSON: each
-- label, hint and what it takes). A template is never edited once made, so every note keeps the
-- fields it was written in; one out of use is archived.
CREATE TABLE note_templates (
    practice_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('intake', 'progress', 'contact', 'discharge')),
    fields      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    archived_at BIGINT,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, created_by) REFERENCES memberships (practice_id, user_id)
);
ALTER TABLE note_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE note_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON note_templates
    USING (practice_id = current_setting('haven.practice_id', true))
    WITH CHECK (practice_id = current_setting('haven.practice_id', true));

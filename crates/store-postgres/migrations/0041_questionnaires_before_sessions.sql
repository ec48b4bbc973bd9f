-- A questionnaire may come back before each session instead of every N weeks: it is due in the
-- two days before each of the client's sessions that starts after its `due_at` (for such a
-- questionnaire, the start of the session the previous answer covered).
ALTER TABLE portal_questionnaires ADD COLUMN before_sessions BIGINT NOT NULL DEFAULT 0
    CHECK (before_sessions IN (0, 1));
ALTER TABLE portal_questionnaires ADD CONSTRAINT one_schedule CHECK (before_sessions = 0 OR every_weeks IS NULL);

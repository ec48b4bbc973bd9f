-- A questionnaire may come back before each session instead of every N weeks: it is due in the
-- two days before each of the client's sessions that starts after its `due_at` (for such a
-- questionnaire, the start of the session the previous answer covered).
ALTER TABLE portal_questionnaires ADD COLUMN before_sessions INTEGER NOT NULL DEFAULT 0
    CHECK (before_sessions IN (0, 1));
-- One schedule: before sessions or every N weeks, never both.
CREATE TRIGGER portal_questionnaires_one_schedule BEFORE INSERT ON portal_questionnaires
    WHEN NEW.before_sessions = 1 AND NEW.every_weeks IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a questionnaire has one schedule'); END;

-- A draft reply to a client's message (AI-8) names the thread it answers: only a reply in that
-- thread, by the clinician who asked, takes it in.
ALTER TABLE ai_requests ADD COLUMN thread_id TEXT;

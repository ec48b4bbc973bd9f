-- The golden thread's plan link, if the practice asks for it (BI-2): a session is claimed only
-- when its signed note names a goal of the client's treatment plan.
ALTER TABLE billing_settings ADD COLUMN require_plan_goal INTEGER NOT NULL DEFAULT 0;

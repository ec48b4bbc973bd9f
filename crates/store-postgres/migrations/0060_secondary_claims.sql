-- Secondary claims: a claim sent to the client's second insurer once the first answered,
-- carrying what the first paid and adjusted. `follows` names the primary claim; the charge
-- stays on the primary. A primary has at most one standing secondary claim.
ALTER TABLE claims ADD COLUMN follows TEXT;
CREATE UNIQUE INDEX claims_one_secondary ON claims (practice_id, follows) WHERE follows IS NOT NULL AND status <> 'void';

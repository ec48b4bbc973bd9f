-- Claim batches and remittances are files naming several clients, kept for the billing
-- retention: past it, the file is replaced by an empty one (sealed as before) and the row says
-- when; the row stays, for the claims and payments that name it.
ALTER TABLE claim_batches ADD COLUMN purged_at BIGINT;
ALTER TABLE remittances ADD COLUMN purged_at BIGINT;

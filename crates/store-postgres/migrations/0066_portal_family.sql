-- One address may hold an open portal account for each of several clients — a parent of two
-- children, or a client who is also their child's guardian — with one password for them all;
-- the portal switches between them. Still one open account per address and client.
DROP INDEX portal_accounts_open_login;
CREATE UNIQUE INDEX portal_accounts_open_login ON portal_accounts (practice_id, login_index, client_id)
    WHERE closed_at IS NULL;

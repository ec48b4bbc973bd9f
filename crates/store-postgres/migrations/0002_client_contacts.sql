-- A client's phone number and e-mail address, sealed like the other personal values and found
-- through their own blind indexes. NULL when the client has none.
ALTER TABLE clients ADD COLUMN phone BYTEA;
ALTER TABLE clients ADD COLUMN email BYTEA;
ALTER TABLE clients ADD COLUMN phone_index TEXT;
ALTER TABLE clients ADD COLUMN email_index TEXT;
CREATE INDEX clients_by_phone ON clients (practice_id, phone_index);
CREATE INDEX clients_by_email ON clients (practice_id, email_index);

-- A form may ask for answers (the client's contact details), sealed beside the signature that
-- gave them; staff apply them to the chart on review.
ALTER TABLE intake_signatures ADD COLUMN answers BYTEA;

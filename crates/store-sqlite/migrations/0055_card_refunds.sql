-- What of a card payment has been refunded to the card through the processor: never more than
-- was paid (the refund's own UPDATE checks it, in the transaction that records the refund).
ALTER TABLE card_checkouts ADD COLUMN refunded_cents INTEGER NOT NULL DEFAULT 0;

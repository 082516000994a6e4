-- Funded training sessions: the host prepays a budget into the session's escrow; after each
-- round it signs a receipt naming the accepted contributions (tokens trained) and the rejected
-- ones; the relay pays the accepted ones from the escrow at the session's price and records
-- the rejected ones against the contributor's reputation. What is left returns on the end.
ALTER TABLE train_sessions ADD COLUMN budget_micro bigint NOT NULL DEFAULT 0 CHECK (budget_micro >= 0);
ALTER TABLE train_sessions ADD COLUMN price_per_ktoken_micro bigint NOT NULL DEFAULT 0 CHECK (price_per_ktoken_micro >= 0);

CREATE TABLE train_receipts (
	session_id text NOT NULL REFERENCES train_sessions (id),
	round integer NOT NULL CHECK (round >= 1),
	worker text NOT NULL,
	accepted boolean NOT NULL,
	tokens bigint NOT NULL CHECK (tokens >= 0),
	amount_micro bigint NOT NULL CHECK (amount_micro >= 0),
	created_at bigint NOT NULL,
	PRIMARY KEY (session_id, round, worker)
);

ALTER TABLE transfers DROP CONSTRAINT transfers_reason_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_reason_check
	CHECK (reason IN ('grant', 'mint', 'escrow', 'payout', 'fee', 'refund', 'stake', 'unstake', 'release', 'slash', 'clawback', 'redeem', 'train-escrow', 'train-payout', 'train-refund'));

ALTER TABLE trust_events DROP CONSTRAINT trust_events_kind_check;
ALTER TABLE trust_events ADD CONSTRAINT trust_events_kind_check CHECK (kind IN ('invalid', 'slash', 'clawback', 'voided', 'dispute', 'abandoned', 'rejected-delta'));

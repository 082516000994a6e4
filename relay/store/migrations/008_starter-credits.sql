-- Credits that cannot be farmed (issue 14).
-- Starter grants are counted per address and in all, per period, in the database, so a
-- restart does not hand out a fresh allowance. One row per (scope, period); old periods go.
CREATE TABLE grant_counts (
	scope text NOT NULL,
	period_start bigint NOT NULL,
	grants integer NOT NULL CHECK (grants >= 1),
	PRIMARY KEY (scope, period_start)
);
CREATE INDEX grant_counts_period ON grant_counts (period_start);

-- Starter credits live in their own account per key and may only be spent on work: a job or a
-- funded session says which holding paid its escrow, and pays, refunds and claws back in it.
-- So credits granted for free, however many keys share them, never become a balance that can
-- be staked or redeemed. Jobs and sessions from before stay paid from balances.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
	CHECK (kind IN ('user', 'escrow', 'fee', 'mint', 'stake', 'unstaking', 'redemption', 'insurance', 'starter'));
ALTER TABLE jobs ADD COLUMN funding text NOT NULL DEFAULT 'balance' CHECK (funding IN ('balance', 'starter'));
ALTER TABLE train_sessions ADD COLUMN funding text NOT NULL DEFAULT 'balance' CHECK (funding IN ('balance', 'starter'));

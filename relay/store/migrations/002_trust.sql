-- Staking, slashing, clawbacks, redemptions and the reputation that drives adaptive replication.

-- A key's stake, its unstaking credits (still slashable until released) and its credits locked
-- for redemption are accounts of their own; slashed stake goes to the insurance account.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
	CHECK (kind IN ('user', 'escrow', 'fee', 'mint', 'stake', 'unstaking', 'redemption', 'insurance'));
INSERT INTO accounts (id, kind) VALUES ('insurance', 'insurance');

ALTER TABLE transfers DROP CONSTRAINT transfers_reason_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_reason_check
	CHECK (reason IN ('grant', 'mint', 'escrow', 'payout', 'fee', 'refund', 'stake', 'unstake', 'release', 'slash', 'clawback', 'redeem'));
-- A clawback always says which task's payout it takes back.
ALTER TABLE transfers ADD CONSTRAINT transfers_clawback_names_task CHECK (reason <> 'clawback' OR (job_id IS NOT NULL AND task_id IS NOT NULL));
-- Entry order for paging a key's history.
ALTER TABLE transfers ADD COLUMN seq bigserial NOT NULL;

CREATE TABLE unstakes (
	id text PRIMARY KEY,
	key text NOT NULL,
	amount_micro bigint NOT NULL CHECK (amount_micro > 0),
	requested_at bigint NOT NULL,
	release_at bigint NOT NULL,
	released_at bigint,
	-- What came back to the balance: less than asked when stake was slashed while unstaking.
	released_micro bigint CHECK (released_micro >= 0 AND released_micro <= amount_micro),
	CHECK (release_at >= requested_at),
	CHECK ((released_at IS NULL) = (released_micro IS NULL))
);
CREATE INDEX unstakes_key ON unstakes (key, requested_at);
CREATE INDEX unstakes_due ON unstakes (release_at) WHERE released_at IS NULL;

CREATE TABLE redemptions (
	id text PRIMARY KEY,
	key text NOT NULL,
	amount_micro bigint NOT NULL CHECK (amount_micro > 0),
	destination text NOT NULL,
	state text NOT NULL CHECK (state IN ('requested')),
	created_at bigint NOT NULL
);
CREATE INDEX redemptions_key ON redemptions (key, created_at);

-- BOINC-style reputation: the run of consecutive valid results sets how often a key is re-checked.
CREATE TABLE reputations (
	key text PRIMARY KEY,
	valid_streak integer NOT NULL DEFAULT 0 CHECK (valid_streak >= 0),
	valid_total integer NOT NULL DEFAULT 0 CHECK (valid_total >= 0),
	invalid_total integer NOT NULL DEFAULT 0 CHECK (invalid_total >= 0),
	slashed_micro bigint NOT NULL DEFAULT 0 CHECK (slashed_micro >= 0),
	clawed_back_micro bigint NOT NULL DEFAULT 0 CHECK (clawed_back_micro >= 0),
	updated_at bigint NOT NULL
);

-- Why a key's reputation or money changed: an invalid result, a slash, a clawback, a voided tile.
CREATE TABLE trust_events (
	id text PRIMARY KEY,
	key text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('invalid', 'slash', 'clawback', 'voided')),
	job_id text,
	task_id text,
	amount_micro bigint NOT NULL DEFAULT 0 CHECK (amount_micro >= 0),
	detail text NOT NULL,
	created_at bigint NOT NULL,
	seq bigserial NOT NULL
);
CREATE INDEX trust_events_key ON trust_events (key, seq);

-- Adaptive replication: a task leased to a reputable key that was not drawn for a spot check
-- needs one result (`single_worker` names the only key whose lone result counts). A tile found
-- bad after its job finished is voided: its payout was clawed back and it shows no picture.
ALTER TABLE tasks ADD COLUMN single_worker text;
ALTER TABLE tasks ADD CONSTRAINT tasks_single_worker CHECK ((replicas_wanted = 1) = (single_worker IS NOT NULL));
ALTER TABLE tasks DROP CONSTRAINT tasks_state_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_state_check CHECK (state IN ('open', 'accepted', 'failed', 'cancelled', 'voided'));
ALTER TABLE results DROP CONSTRAINT results_verdict_check;
ALTER TABLE results ADD CONSTRAINT results_verdict_check CHECK (verdict IN ('pending', 'agreed', 'rejected', 'voided'));
-- A voided lease no longer counts as a replica, and its key may not take the task again.
ALTER TABLE leases DROP CONSTRAINT leases_state_check;
ALTER TABLE leases ADD CONSTRAINT leases_state_check CHECK (state IN ('active', 'submitted', 'voided'));

-- Money: double-entry, integer micro-credits. Balances are a cache of the entries, checked by
-- the invariant suite; only the mint may go negative.
CREATE TABLE accounts (
	id text PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('user', 'escrow', 'fee', 'mint')),
	balance_micro bigint NOT NULL DEFAULT 0,
	CHECK (kind = 'mint' OR balance_micro >= 0)
);

CREATE TABLE transfers (
	id text PRIMARY KEY,
	debit text NOT NULL REFERENCES accounts (id),
	credit text NOT NULL REFERENCES accounts (id),
	amount_micro bigint NOT NULL CHECK (amount_micro > 0),
	reason text NOT NULL CHECK (reason IN ('grant', 'mint', 'escrow', 'payout', 'fee', 'refund')),
	job_id text,
	task_id text,
	created_at bigint NOT NULL,
	CHECK (debit <> credit),
	-- Money that moves for work always says which job, and payouts and fees which task.
	CHECK (reason NOT IN ('escrow', 'payout', 'fee', 'refund') OR job_id IS NOT NULL),
	CHECK (reason NOT IN ('payout', 'fee') OR task_id IS NOT NULL)
);
CREATE INDEX transfers_debit ON transfers (debit);
CREATE INDEX transfers_credit ON transfers (credit);
CREATE INDEX transfers_job ON transfers (job_id);

INSERT INTO accounts (id, kind) VALUES ('mint', 'mint'), ('fee', 'fee');

CREATE TABLE jobs (
	id text PRIMARY KEY,
	requester text NOT NULL,
	client_ref text NOT NULL,
	kernel text NOT NULL,
	kernel_version integer NOT NULL,
	spec jsonb NOT NULL,
	state text NOT NULL CHECK (state IN ('running', 'completed', 'cancelled', 'failed')),
	tasks integer NOT NULL CHECK (tasks > 0),
	tasks_done integer NOT NULL DEFAULT 0,
	tasks_failed integer NOT NULL DEFAULT 0,
	budget_micro bigint NOT NULL CHECK (budget_micro > 0),
	estimate_micro bigint NOT NULL CHECK (estimate_micro > 0 AND estimate_micro <= budget_micro),
	fee_bps integer NOT NULL CHECK (fee_bps >= 0 AND fee_bps <= 10000),
	created_at bigint NOT NULL,
	finished_at bigint,
	UNIQUE (requester, client_ref),
	CHECK (tasks_done + tasks_failed <= tasks)
);
CREATE INDEX jobs_requester ON jobs (requester, created_at);

CREATE TABLE tasks (
	id text PRIMARY KEY,
	job_id text NOT NULL REFERENCES jobs (id),
	idx integer NOT NULL,
	params jsonb NOT NULL,
	rect_x integer NOT NULL,
	rect_y integer NOT NULL,
	rect_w integer NOT NULL,
	rect_h integer NOT NULL,
	result_bytes integer NOT NULL CHECK (result_bytes > 0),
	price_micro bigint NOT NULL CHECK (price_micro > 0),
	state text NOT NULL CHECK (state IN ('open', 'accepted', 'failed', 'cancelled')),
	replicas_wanted integer NOT NULL,
	accepted_hash text,
	-- Queue order: older jobs first, tiles in order. Claims walk this index and stop early.
	seq bigserial NOT NULL,
	UNIQUE (job_id, idx)
);
CREATE INDEX tasks_open_queue ON tasks (seq) WHERE state = 'open';

-- One lease per (task, key): the two replicas of a task always come from different keys.
CREATE TABLE leases (
	id text PRIMARY KEY,
	task_id text NOT NULL REFERENCES tasks (id),
	worker text NOT NULL,
	state text NOT NULL CHECK (state IN ('active', 'submitted')),
	backend text NOT NULL,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	UNIQUE (task_id, worker)
);

-- Result bytes when they live in the database (Postgres); with PGlite they are files (relay/blobs).
CREATE TABLE blobs (
	sha256 text PRIMARY KEY,
	size integer NOT NULL,
	bytes bytea NOT NULL
);

CREATE TABLE results (
	lease_id text PRIMARY KEY REFERENCES leases (id),
	task_id text NOT NULL REFERENCES tasks (id),
	worker text NOT NULL,
	sha256 text NOT NULL,
	receipt_signature text NOT NULL,
	verdict text NOT NULL CHECK (verdict IN ('pending', 'agreed', 'rejected')),
	submitted_at bigint NOT NULL,
	seq bigserial NOT NULL
);
CREATE INDEX results_task ON results (task_id);
CREATE INDEX results_worker ON results (worker);

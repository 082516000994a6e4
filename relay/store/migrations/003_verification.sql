-- Catching cheaters cheaply: trusted referees, the one-network rule, commit-then-reveal and
-- bisection disputes.

-- Keys the operator marked as trusted, registered agents: their results are authoritative,
-- they are never replicated, and they referee tie-breaks and disputed steps.
CREATE TABLE trusted_keys (
	key text PRIMARY KEY,
	note text NOT NULL,
	added_at bigint NOT NULL
);

-- After replicas disagree, the tie-break replica goes only to a trusted key (when there is one),
-- so a cartel can never outvote an honest worker.
ALTER TABLE tasks ADD COLUMN referee_only boolean NOT NULL DEFAULT false;
CREATE INDEX tasks_referee_queue ON tasks (seq) WHERE state = 'open' AND referee_only;

-- The claimant's network (IPv4 /24, IPv6 /48; '' when the relay cannot tell, e.g. loopback):
-- two live leases of one task never come from one network.
ALTER TABLE leases ADD COLUMN network text NOT NULL DEFAULT '';
-- Commit-then-reveal: a worker first commits to a hash of its result; reveals open only once
-- every wanted replica has committed, so no answer exists anywhere before all are bound.
ALTER TABLE leases ADD COLUMN commitment text;
ALTER TABLE leases ADD COLUMN committed_at bigint;
ALTER TABLE leases DROP CONSTRAINT leases_state_check;
-- `abandoned`: committed, then never revealed before the lease ran out. `revoked`: taken back
-- unfinished when its key was caught with an invalid result.
ALTER TABLE leases ADD CONSTRAINT leases_state_check CHECK (state IN ('active', 'committed', 'submitted', 'voided', 'abandoned', 'revoked'));
ALTER TABLE leases ADD CONSTRAINT leases_commitment CHECK ((state = 'active') = (commitment IS NULL) OR state IN ('voided', 'revoked'));
-- A key's commitments waiting to be revealed (every claim lists the open ones).
CREATE INDEX leases_committed_worker ON leases (worker, committed_at) WHERE state = 'committed';

-- A bisect-class result carries the Merkle root over its per-step state hashes.
ALTER TABLE results ADD COLUMN merkle_root text;

-- Two results of a bisect task that disagree: the relay bisects their Merkle trees to the first
-- divergent step (leaf i is the hash of the state after i steps; both sides agree at `lo`,
-- disagree at `hi`), then a trusted referee recomputes that one step.
CREATE TABLE disputes (
	id text PRIMARY KEY,
	task_id text NOT NULL REFERENCES tasks (id),
	job_id text NOT NULL,
	steps integer NOT NULL CHECK (steps >= 1),
	lease_a text NOT NULL REFERENCES leases (id),
	worker_a text NOT NULL,
	root_a text NOT NULL,
	lease_b text NOT NULL REFERENCES leases (id),
	worker_b text NOT NULL,
	root_b text NOT NULL,
	lo integer NOT NULL,
	hi integer NOT NULL,
	-- The agreed state after `lo` steps (hex); null while lo = 0 (the initial state is the params').
	lo_state text,
	hi_leaf_a text NOT NULL,
	hi_leaf_b text NOT NULL,
	round integer NOT NULL DEFAULT 0,
	-- The leaf both sides are asked for this round, and what each answered.
	ask integer,
	answer_a text,
	answer_a_state text,
	answer_b text,
	answer_b_state text,
	state text NOT NULL CHECK (state IN ('bisecting', 'refereeing', 'settled')),
	deadline bigint NOT NULL,
	referee text,
	referee_expires_at bigint,
	winner text CHECK (winner IN ('a', 'b', 'neither')),
	reason text,
	created_at bigint NOT NULL,
	settled_at bigint,
	seq bigserial NOT NULL,
	CHECK (0 <= lo AND lo < hi AND hi <= steps),
	CHECK ((state = 'settled') = (winner IS NOT NULL))
);
CREATE UNIQUE INDEX disputes_open_task ON disputes (task_id) WHERE state <> 'settled';
CREATE INDEX disputes_deadline ON disputes (deadline) WHERE state <> 'settled';
CREATE INDEX disputes_worker_a ON disputes (worker_a) WHERE state = 'bisecting';
CREATE INDEX disputes_worker_b ON disputes (worker_b) WHERE state = 'bisecting';

ALTER TABLE trust_events DROP CONSTRAINT trust_events_kind_check;
ALTER TABLE trust_events ADD CONSTRAINT trust_events_kind_check CHECK (kind IN ('invalid', 'slash', 'clawback', 'voided', 'dispute', 'abandoned'));

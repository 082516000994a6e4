-- Catching cheaters cheaply: trusted referees, the one-network rule, commit-then-reveal and
-- bisection disputes.

-- Keys the operator marked as trusted, registered agents: their results are authoritative,
-- they are never replicated, and they referee tie-breaks and disputed steps.
CREATE TABLE trusted_keys (
	key text PRIMARY KEY,
	note text NOT NULL,
	added_at bigint NOT NULL
);

-- A lower bound on when a fully held task can next take a replica (0: now): claims skip the
-- task along the queue index until then instead of counting its leases. Set by the claim that
-- fills the task; anything that frees a slot early resets it to 0.
ALTER TABLE tasks ADD COLUMN claimable_after bigint NOT NULL DEFAULT 0;

-- Claims ask whether any key has warmed up (new keys are then paired with proven ones).
CREATE INDEX reputations_streak ON reputations (valid_streak);

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

-- A bisect-class result carries the Merkle root over its per-step state hashes, and the hash of
-- its final state as that tree's last leaf (proved against the root when it was revealed).
ALTER TABLE results ADD COLUMN merkle_root text;
ALTER TABLE results ADD COLUMN final_leaf text;
ALTER TABLE results ADD CONSTRAINT results_bisect_pair CHECK ((merkle_root IS NULL) = (final_leaf IS NULL));

-- Two results of a bisect task that disagree. The relay bisects their committed traces: leaf i
-- is the hash of the state after i steps; both sides agree after `lo` steps (0: the initial
-- state, fixed by the params) and disagree after `hi`. Each round asks both for leaf `ask`
-- with a Merkle proof and the state behind it; at hi = lo + 1 a trusted referee recomputes that
-- one step from the agreed state, and the side whose leaf matches wins.
CREATE TABLE disputes (
	id text PRIMARY KEY,
	task_id text NOT NULL REFERENCES tasks (id),
	job_id text NOT NULL REFERENCES jobs (id),
	steps integer NOT NULL CHECK (steps >= 1),
	lease_a text NOT NULL REFERENCES leases (id),
	worker_a text NOT NULL,
	root_a text NOT NULL,
	lease_b text NOT NULL REFERENCES leases (id),
	worker_b text NOT NULL,
	root_b text NOT NULL,
	lo integer NOT NULL,
	hi integer NOT NULL,
	-- The agreed state after `lo` steps (hex); null while lo = 0.
	lo_state text,
	hi_leaf_a text NOT NULL,
	hi_leaf_b text NOT NULL,
	-- Rounds answered by both sides so far.
	rounds integer NOT NULL DEFAULT 0,
	ask integer,
	leaf_a text,
	state_a text,
	leaf_b text,
	state_b text,
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
	CHECK ((state = 'bisecting') = (ask IS NOT NULL)),
	CHECK (ask IS NULL OR (lo < ask AND ask < hi)),
	CHECK ((state = 'settled') = (winner IS NOT NULL)),
	CHECK (worker_a <> worker_b)
);
CREATE UNIQUE INDEX disputes_open_task ON disputes (task_id) WHERE state <> 'settled';
CREATE INDEX disputes_deadline ON disputes (deadline) WHERE state <> 'settled';
CREATE INDEX disputes_worker_a ON disputes (worker_a) WHERE state = 'bisecting';
CREATE INDEX disputes_worker_b ON disputes (worker_b) WHERE state = 'bisecting';
CREATE INDEX disputes_refereeing ON disputes (seq) WHERE state = 'refereeing';

ALTER TABLE trust_events DROP CONSTRAINT trust_events_kind_check;
ALTER TABLE trust_events ADD CONSTRAINT trust_events_kind_check CHECK (kind IN ('invalid', 'slash', 'clawback', 'voided', 'dispute', 'abandoned'));

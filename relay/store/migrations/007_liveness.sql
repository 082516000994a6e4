-- Work always finishes (issue 13).
-- A commitment that lapsed before every other replica had committed is 'lapsed', not
-- 'abandoned': its key withheld nothing and may take the task again. 'abandoned' stays for a
-- commitment left unrevealed after the reveal opened (a withheld answer).
ALTER TABLE leases DROP CONSTRAINT leases_state_check;
ALTER TABLE leases ADD CONSTRAINT leases_state_check CHECK (state IN ('active', 'committed', 'submitted', 'voided', 'abandoned', 'revoked', 'lapsed'));

-- The task's cost class (kernels/types.ts, "device fit"): devices report a speed per class and
-- the claim fits each lease, and the work it may take, to that speed.
ALTER TABLE tasks ADD COLUMN cost_class integer NOT NULL DEFAULT 0 CHECK (cost_class >= 0);

-- Fair turns between jobs: a task's place in the queue is its job's start on the queue (the
-- lowest place still open when the job was created) plus its index, and claims take the lowest
-- first. Running jobs take turns tile by tile, a new job joins the rotation instead of waiting
-- for every older job to finish (or jumping ahead of them), and each image still fills top-down.
ALTER TABLE tasks ADD COLUMN queue_key bigint NOT NULL DEFAULT 0;
UPDATE tasks SET queue_key = idx WHERE state = 'open';
CREATE INDEX tasks_fair_queue ON tasks (queue_key, seq) WHERE state = 'open';

-- Work always finishes (issue 13).
-- A commitment that lapsed before every other replica had committed is 'lapsed', not
-- 'abandoned': its key withheld nothing and may take the task again. 'abandoned' stays for a
-- commitment left unrevealed after the reveal opened (a withheld answer).
ALTER TABLE leases DROP CONSTRAINT leases_state_check;
ALTER TABLE leases ADD CONSTRAINT leases_state_check CHECK (state IN ('active', 'committed', 'submitted', 'voided', 'abandoned', 'revoked', 'lapsed'));

-- The task's cost class (kernels/types.ts, "device fit"): devices report a speed per class and
-- the claim fits each lease, and the work it may take, to that speed.
ALTER TABLE tasks ADD COLUMN cost_class integer NOT NULL DEFAULT 0 CHECK (cost_class >= 0);

-- Fair work (issue 14): what a claim weighs before it hands out work, and the term a lease was
-- fitted to.
-- When the claim's fitted lease ran out (LEASE_FIT_FACTOR times the device's own estimate, at
-- least LEASE_MS): while another key waits for work it could take, heartbeats extend no further.
ALTER TABLE leases ADD COLUMN due_at bigint;
-- Work in hand per key and per network (lapsed leases stay 'active', so each count reads a
-- range of expiry times), and the running jobs whose unfinished work is shared while keys wait.
CREATE INDEX leases_active_worker ON leases (worker, expires_at) WHERE state = 'active' AND NOT offline;
CREATE INDEX leases_active_network ON leases (network, expires_at) WHERE state = 'active' AND network <> '';
CREATE INDEX jobs_running ON jobs (state) WHERE state = 'running';

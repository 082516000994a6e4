-- Devices a key contributes from, with what each advertised on its last claim (cores, memory
-- class, WebGPU adapter and limits, benchmark score): the relay sizes leases and matches tasks
-- with it, and "My contribution" shows per-device figures.
CREATE TABLE devices (
	key text NOT NULL,
	id text NOT NULL,
	label text NOT NULL,
	cores integer NOT NULL,
	memory_gb real NOT NULL,
	gpu jsonb,
	score real NOT NULL,
	first_seen_at bigint NOT NULL,
	last_seen_at bigint NOT NULL,
	PRIMARY KEY (key, id)
);

-- Which device took a lease, and whether it was prefetched for offline work (a long lease the
-- relay honours for a late result).
ALTER TABLE leases ADD COLUMN device text NOT NULL DEFAULT '';
ALTER TABLE leases ADD COLUMN offline boolean NOT NULL DEFAULT false;
CREATE INDEX leases_offline_worker ON leases (worker) WHERE offline AND state = 'active';

-- Training sessions: a join code that finds the host's mesh peer. The training itself runs
-- between browsers; the relay only introduces them (and, in funded sessions, pays on receipts).
CREATE TABLE train_sessions (
	id text PRIMARY KEY,
	code text NOT NULL UNIQUE,
	host text NOT NULL,
	host_peer_id text NOT NULL,
	title text NOT NULL,
	mode text NOT NULL CHECK (mode IN ('classroom', 'funded')),
	state text NOT NULL CHECK (state IN ('open', 'ended')),
	created_at bigint NOT NULL,
	ended_at bigint
);
CREATE INDEX train_sessions_host ON train_sessions (host, state);

/**
 * SQL: some key of the waiting list (`keys`, `networks`: parallel text[] parameters) could take
 * a replica of `task` now, ignoring the lease `exceptLease` (the one a heartbeat asks to keep):
 * it has no live or settled lease on the task (an expired one of its own does not count, as in
 * the claim) and no other key of its network holds one; tie-breaks reserved for trusted
 * referees are no waiting key's to take. Fair shares only bite where a waiting
 * key could use what they free; a task only its own holder can do is never taken from it.
 */
export const WAITING_TAKER_SQL = (task: string, now: string, keys: string, networks: string, exceptLease: string) => `(NOT EXISTS (
	SELECT 1 FROM tasks rt WHERE rt.id = ${task} AND rt.referee_only
) AND EXISTS (
	SELECT 1 FROM unnest(${keys}::text[], ${networks}::text[]) AS w (key, network)
	WHERE NOT EXISTS (
			SELECT 1 FROM leases x WHERE x.task_id = ${task} AND x.worker = w.key AND x.id <> ${exceptLease}
				AND (x.state IN ('committed', 'submitted', 'voided', 'abandoned', 'revoked') OR x.expires_at > ${now})
		)
		AND (w.network = '' OR NOT EXISTS (
			SELECT 1 FROM leases x WHERE x.task_id = ${task} AND x.network = w.network AND x.worker <> w.key AND x.id <> ${exceptLease}
				AND (x.state = 'submitted' OR (x.state IN ('active', 'committed') AND x.expires_at > ${now}))
		))
))`;

import type { Sql } from '../store/db.js';

/** Row counts of every table that a write could touch: equal snapshots mean nothing was written. */
export async function dbSnapshot(db: Sql): Promise<Record<string, number>> {
	const [row] = await db.query<Record<string, unknown>>(
		`SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM transfers) AS transfers,
			(SELECT coalesce(sum(abs(balance_micro)), 0) FROM accounts) AS balances, (SELECT count(*) FROM jobs) AS jobs,
			(SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM leases) AS leases, (SELECT count(*) FROM results) AS results,
			(SELECT count(*) FROM blobs) AS blobs, (SELECT coalesce(sum(expires_at), 0) FROM leases) AS lease_expiry`
	);
	return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

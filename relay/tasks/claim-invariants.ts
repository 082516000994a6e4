import type { Sql } from '../store/db.js';

/**
 * The scheduling invariant behind `claimable_after`: a task the claim index skips (claimable
 * after a time still to come) must really be full, every replica it wants held by a live lease
 * or a result. A violation is a task nobody can take although it needs a replica.
 */
export async function claimableProblems(db: Sql, now: number): Promise<string[]> {
	const rows = await db.query<{ id: string; claimable_after: unknown; live: unknown; wanted: unknown }>(
		`SELECT t.id, t.claimable_after, t.replicas_wanted AS wanted,
			(SELECT count(*) FROM leases l WHERE l.task_id = t.id AND (l.state = 'submitted' OR (l.state IN ('active', 'committed') AND l.expires_at > $1))) AS live
		FROM tasks t WHERE t.state = 'open' AND t.claimable_after > $1`,
		[now]
	);
	return rows
		.filter((r) => Number(r.live) < Number(r.wanted))
		.map((r) => `task ${r.id} is skipped until ${r.claimable_after} but holds ${r.live} of the ${r.wanted} replicas it wants`);
}

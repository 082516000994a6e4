import { randomUUID } from 'node:crypto';
import type { ClaimRequest, Lease } from '../../src/lib/protocol/leases.js';
import type { RelayContext } from '../context.js';
import { userAccount } from '../ledger/account-ids.js';
import { int } from '../store/db.js';

/**
 * Leases up to `maxTasks` open tasks that still need a replica and that this key has not
 * worked on: the replicas of one task always come from different keys. A lease the same key
 * let expire may be taken again. Oldest jobs first, tiles in order, so images fill top-down.
 */
export async function claimTasks(ctx: RelayContext, worker: string, req: ClaimRequest, now: number): Promise<Lease[]> {
	const expiresAt = now + ctx.config.leaseMs;
	return ctx.db.transaction(async (tx) => {
		const candidates = await tx.query<{
			id: string; job_id: string; params: unknown; result_bytes: unknown; kernel: string; kernel_version: unknown;
		}>(
			`SELECT t.id, t.job_id, t.params, t.result_bytes, j.kernel, j.kernel_version
			FROM tasks t JOIN jobs j ON j.id = t.job_id
			WHERE t.state = 'open' AND j.state = 'running' AND j.kernel = ANY($1::text[])
				AND (SELECT count(*) FROM leases l WHERE l.task_id = t.id AND (l.state = 'submitted' OR l.expires_at > $2)) < t.replicas_wanted
				AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task_id = t.id AND l.worker = $3 AND (l.state = 'submitted' OR l.expires_at > $2))
			ORDER BY t.seq
			LIMIT $4
			FOR UPDATE OF t SKIP LOCKED`,
			[req.kernels, now, worker, req.maxTasks]
		);
		if (candidates.length === 0) return [];
		const values: unknown[] = [now, expiresAt, worker, req.backend, userAccount(worker)];
		const rows = candidates.map((c, i) => {
			values.push(randomUUID(), c.id);
			return `($${6 + 2 * i}, $${7 + 2 * i}, $3, 'active', $4, $1, $2)`;
		});
		const leased = await tx.query<{ id: string; task_id: string }>(
			// The worker's account is made here, with its first lease, so payouts always have a payee.
			`WITH account AS (INSERT INTO accounts (id, kind) VALUES ($5, 'user') ON CONFLICT (id) DO NOTHING)
			INSERT INTO leases (id, task_id, worker, state, backend, created_at, expires_at) VALUES ${rows.join(', ')}
			ON CONFLICT (task_id, worker) DO UPDATE
				SET id = excluded.id, backend = excluded.backend, created_at = excluded.created_at, expires_at = excluded.expires_at
				WHERE leases.state = 'active' AND leases.expires_at <= $1
			RETURNING id, task_id`,
			values
		);
		const byTask = new Map(candidates.map((c) => [c.id, c]));
		return leased.map((l): Lease => {
			const c = byTask.get(l.task_id);
			if (!c) throw new Error(`lease for unknown task ${l.task_id}`);
			return {
				leaseId: l.id,
				taskId: c.id,
				jobId: c.job_id,
				kernel: c.kernel,
				kernelVersion: int(c.kernel_version),
				params: typeof c.params === 'string' ? JSON.parse(c.params) : c.params,
				resultBytes: int(c.result_bytes),
				expiresAt
			};
		});
	});
}

import type { CommitResponse } from '../../src/lib/protocol/verification.js';
import { HttpError } from '../api/http-error.js';
import type { RelayContext } from '../context.js';
import { int, type Sql } from '../store/db.js';

/**
 * True once every replica a task wants has bound itself: a submitted result, or a commitment on
 * a lease that has not expired. Only then may anyone reveal, so nobody can copy an answer.
 */
export async function revealOpen(tx: Sql, taskId: string, now: number): Promise<boolean> {
	const [row] = await tx.query<{ bound: unknown; wanted: unknown }>(
		`SELECT (SELECT count(*) FROM leases l WHERE l.task_id = t.id AND (l.state = 'submitted' OR (l.state = 'committed' AND l.expires_at > $2))) AS bound,
			t.replicas_wanted AS wanted
		FROM tasks t WHERE t.id = $1`,
		[taskId, now]
	);
	return row !== undefined && int(row.bound) >= int(row.wanted);
}

/**
 * Records a worker's commitment to its result (commit-then-reveal) and extends the lease, which
 * the worker keeps alive with heartbeats while it waits for the other replicas. Sending the same
 * commitment again only asks whether reveals are open; a different one is refused.
 */
export async function commitLease(ctx: RelayContext, worker: string, leaseId: string, commitment: string, now: number): Promise<CommitResponse> {
	return ctx.db.transaction(async (tx) => {
		const [lease] = await tx.query<{ worker: string; state: string; expires_at: unknown; commitment: string | null; task_id: string; task_state: string; job_state: string }>(
			`SELECT l.worker, l.state, l.expires_at, l.commitment, l.task_id, t.state AS task_state, j.state AS job_state
			FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id WHERE l.id = $1 FOR UPDATE OF l`,
			[leaseId]
		);
		if (!lease || lease.worker !== worker || lease.state === 'voided') throw new HttpError(409, 'lease_not_held', `you do not hold lease ${leaseId}`);
		let expiresAt = int(lease.expires_at);
		if (lease.state === 'active') {
			if (expiresAt <= now) throw new HttpError(410, 'lease_expired', `lease ${leaseId} expired; the task may have been given to another worker`);
			if (lease.job_state !== 'running' || lease.task_state !== 'open') throw new HttpError(409, 'job_closed', `task ${lease.task_id} no longer takes results`);
			expiresAt = now + ctx.config.leaseMs;
			await tx.query(`UPDATE leases SET state = 'committed', commitment = $2, committed_at = $3, expires_at = $4 WHERE id = $1`, [leaseId, commitment, now, expiresAt]);
		} else {
			if (lease.commitment !== commitment) throw new HttpError(409, 'conflict', `lease ${leaseId} is already bound to another commitment`);
			if (lease.state === 'committed' && expiresAt <= now) throw new HttpError(410, 'lease_expired', `lease ${leaseId} expired before its result was revealed`);
		}
		return { leaseId, revealOpen: await revealOpen(tx, lease.task_id, now), expiresAt };
	});
}

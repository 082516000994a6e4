import type { Commitment, CommitOutcome } from '../../src/lib/protocol/leases.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';

interface CommitRow {
	id: string;
	worker: string;
	state: string;
	expires_at: unknown;
	commitment: string | null;
	task_state: string;
	job_state: string;
}

const refused = (leaseId: string, code: string, message: string): CommitOutcome => ({ leaseId, ok: false, error: { code, message } });

/**
 * Binds finished results to their leases (commit-then-reveal) in one transaction: a lease the key
 * holds, still running and unexpired, becomes `committed` and lasts another LEASE_MS for the
 * other replicas to commit. The same commitment again is a no-op; a different one is refused.
 * Each commitment gets its own outcome, so one stale lease never fails the others.
 */
export async function commitLeases(ctx: RelayContext, worker: string, commitments: readonly Commitment[], now: number): Promise<CommitOutcome[]> {
	if (commitments.length === 0) return [];
	const expiresAt = now + ctx.config.leaseMs;
	return ctx.db.transaction(async (tx) => {
		const rows = await tx.query<CommitRow>(
			`SELECT l.id, l.worker, l.state, l.expires_at, l.commitment, t.state AS task_state, j.state AS job_state
			FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id
			WHERE l.id = ANY($1::text[]) ORDER BY l.id FOR UPDATE OF l`,
			[commitments.map((c) => c.leaseId)]
		);
		const byId = new Map(rows.map((r) => [r.id, r]));
		const bind: Commitment[] = [];
		const outcomes = commitments.map((c): CommitOutcome => {
			const l = byId.get(c.leaseId);
			if (!l || l.worker !== worker || l.state === 'voided' || l.state === 'abandoned') return refused(c.leaseId, 'lease_not_held', `you do not hold lease ${c.leaseId}`);
			if (l.state === 'revoked') return refused(c.leaseId, 'lease_not_held', `lease ${c.leaseId} was revoked after an invalid result from this key`);
			if (l.state !== 'active') {
				if (l.commitment !== c.commitment) return refused(c.leaseId, 'conflict', `lease ${c.leaseId} is already bound to another commitment`);
				if (l.state === 'committed' && int(l.expires_at) <= now) return refused(c.leaseId, 'lease_expired', `lease ${c.leaseId} expired before its result was revealed`);
				return { leaseId: c.leaseId, ok: true, expiresAt: int(l.expires_at) };
			}
			if (int(l.expires_at) <= now) return refused(c.leaseId, 'lease_expired', `lease ${c.leaseId} expired; the task may have been given to another worker`);
			if (l.job_state !== 'running' || l.task_state !== 'open') return refused(c.leaseId, 'job_closed', `the task of lease ${c.leaseId} no longer takes results`);
			if (bind.some((b) => b.leaseId === c.leaseId)) return refused(c.leaseId, 'conflict', `lease ${c.leaseId} appears twice in one claim`);
			bind.push(c);
			return { leaseId: c.leaseId, ok: true, expiresAt };
		});
		if (bind.length > 0) {
			await tx.query(
				`UPDATE leases SET state = 'committed', commitment = c.commitment, committed_at = $3, expires_at = $4
				FROM unnest($1::text[], $2::text[]) AS c (id, commitment) WHERE leases.id = c.id AND leases.state = 'active'`,
				[bind.map((b) => b.leaseId), bind.map((b) => b.commitment), now, expiresAt]
			);
		}
		return outcomes;
	});
}

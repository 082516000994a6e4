import type { Commitment, CommitOutcome } from '../../src/lib/protocol/leases.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';
import { BOUND_REPLICAS_SQL } from './reveal-list.js';

interface CommitRow {
	id: string;
	worker: string | null;
	state: string | null;
	expires_at: unknown;
	commitment: string | null;
	task_state: string | null;
	job_state: string | null;
	/** This lease's first appearance in the claim. */
	first: boolean;
	/** The statement bound it just now. */
	bound_now: boolean;
	/** What its expiry becomes if bound now. */
	bound_until: unknown;
	/** Its new expiry if this repeated commitment kept it alive, else null. */
	kept_until: unknown;
}

const refused = (leaseId: string, code: string, message: string): CommitOutcome => ({ leaseId, ok: false, error: { code, message } });

/**
 * Binds finished results to their leases (commit-then-reveal) in one statement: a lease the key
 * holds, still running and unexpired, becomes `committed` and lasts another LEASE_MS for the
 * other replicas to commit, or longer: never less than it had, nor less than the other live
 * replicas' leases, so a commitment waits for a partner computing offline instead of lapsing
 * (a task still marked full stays skipped for as long). The same commitment again keeps the
 * lease alive while another replica has still to commit (a committed device that waits for a
 * slow partner is not timed out); a different one is refused. Each commitment gets its own outcome, so one stale lease never
 * fails the others.
 */
export async function commitLeases(ctx: RelayContext, worker: string, commitments: readonly Commitment[], now: number): Promise<CommitOutcome[]> {
	if (commitments.length === 0) return [];
	const expiresAt = now + ctx.config.leaseMs;
	const rows = await ctx.db.query<CommitRow>(
		`WITH input AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i (lease_id, commitment, ord)),
		cur AS (
			SELECT i.lease_id, i.commitment AS wanted, i.ord, l.worker, l.state, l.expires_at, l.commitment, l.task_id,
				t.state AS task_state, j.state AS job_state, i.ord = min(i.ord) OVER (PARTITION BY i.lease_id) AS first,
				GREATEST($5, l.expires_at, (
					SELECT max(p.expires_at) FROM leases p
					WHERE p.task_id = l.task_id AND p.id <> l.id AND p.state IN ('active', 'committed') AND p.expires_at > $4
				)) AS bound_until
			FROM input i LEFT JOIN leases l ON l.id = i.lease_id LEFT JOIN tasks t ON t.id = l.task_id LEFT JOIN jobs j ON j.id = t.job_id
		), bound AS (
			UPDATE leases SET state = 'committed', commitment = c.wanted, committed_at = $4, expires_at = c.bound_until
			FROM cur c
			WHERE leases.id = c.lease_id AND c.first AND c.worker = $3 AND c.state = 'active' AND c.expires_at > $4
				AND c.job_state = 'running' AND c.task_state = 'open' AND leases.state = 'active'
			RETURNING leases.id, leases.task_id, c.bound_until
		), kept AS (
			-- The same commitment again keeps the lease alive while the task still waits for another
			-- replica to commit (its key is still here to reveal); once every replica is bound the
			-- reveal is open and the clock runs, so a key cannot hold a task by never revealing.
			UPDATE leases SET expires_at = GREATEST(leases.expires_at, $5)
			FROM cur c
			WHERE leases.id = c.lease_id AND c.first AND c.worker = $3 AND c.state = 'committed' AND c.commitment = c.wanted
				AND c.expires_at > $4 AND c.job_state = 'running' AND c.task_state = 'open'
				AND ${BOUND_REPLICAS_SQL('c.task_id', '$4')} < (SELECT t.replicas_wanted FROM tasks t WHERE t.id = c.task_id)
			RETURNING leases.id, leases.expires_at
		), lapse AS (
			-- This statement cannot see its own update: the leases just committed lapse at bound_until.
			SELECT l.task_id, min(coalesce((SELECT b.bound_until FROM bound b WHERE b.id = l.id), l.expires_at)) AS next
			FROM leases l WHERE l.task_id IN (SELECT task_id FROM bound) AND l.state IN ('active', 'committed') AND l.expires_at > $4
			GROUP BY l.task_id
		), skip AS (
			UPDATE tasks SET claimable_after = lapse.next FROM lapse WHERE tasks.id = lapse.task_id AND tasks.claimable_after > 0
		)
		SELECT c.lease_id AS id, c.worker, c.state, c.expires_at, c.commitment, c.task_state, c.job_state, c.first,
			c.first AND EXISTS (SELECT 1 FROM bound b WHERE b.id = c.lease_id) AS bound_now, c.bound_until,
			(SELECT k.expires_at FROM kept k WHERE k.id = c.lease_id AND c.first) AS kept_until
		FROM cur c ORDER BY c.ord`,
		[commitments.map((c) => c.leaseId), commitments.map((c) => c.commitment), worker, now, expiresAt]
	);
	return commitments.map((c, i): CommitOutcome => {
		const l = rows[i];
		if (!l || l.id !== c.leaseId) throw new Error(`commitment ${i} came back out of order`);
		if (l.worker !== worker || l.state === null || l.state === 'voided' || l.state === 'abandoned') return refused(c.leaseId, 'lease_not_held', `you do not hold lease ${c.leaseId}`);
		if (l.state === 'revoked') return refused(c.leaseId, 'lease_not_held', `lease ${c.leaseId} was revoked after an invalid result from this key`);
		if (l.state !== 'active') {
			if (l.commitment !== c.commitment) return refused(c.leaseId, 'conflict', `lease ${c.leaseId} is already bound to another commitment`);
			if (l.state === 'committed' && int(l.expires_at) <= now) return refused(c.leaseId, 'lease_expired', `lease ${c.leaseId} expired before its result was revealed`);
			return { leaseId: c.leaseId, ok: true, expiresAt: int(l.kept_until ?? l.expires_at) };
		}
		if (int(l.expires_at) <= now) return refused(c.leaseId, 'lease_expired', `lease ${c.leaseId} expired; the task may have been given to another worker`);
		if (l.job_state !== 'running' || l.task_state !== 'open') return refused(c.leaseId, 'job_closed', `the task of lease ${c.leaseId} no longer takes results`);
		if (!l.first) return refused(c.leaseId, 'conflict', `lease ${c.leaseId} appears twice in one claim`);
		// Bound here unless another request changed the lease between this statement's read and write.
		return l.bound_now ? { leaseId: c.leaseId, ok: true, expiresAt: int(l.bound_until) } : refused(c.leaseId, 'conflict', `lease ${c.leaseId} changed while committing; send the claim again`);
	});
}

import { LEASE_LIFETIME_MS_MAX } from '../../src/lib/protocol/limits.js';
import { HttpError } from '../api/http-error.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';
import { BOUND_REPLICAS_SQL } from './reveal-list.js';

/**
 * Extends a lease its holder still holds; an expired lease cannot be revived (it may be reissued).
 * Never shortens one: a prefetched or speed-fitted lease keeps the long expiry it was granted.
 * Bounded: never past LEASE_LIFETIME_MS_MAX after the grant, so a device that claims to compute
 * forever cannot hold a task forever, and a committed lease only while another replica has still
 * to commit (once the reveal is open, heartbeats cannot put off revealing).
 */
export async function heartbeatLease(ctx: RelayContext, worker: string, leaseId: string, now: number): Promise<{ leaseId: string; expiresAt: number }> {
	const [row] = await ctx.db.query<{ id: string; expires_at: unknown }>(
		`UPDATE leases l SET expires_at = GREATEST(l.expires_at, LEAST($4, l.created_at + $5))
		WHERE l.id = $1 AND l.worker = $2 AND l.expires_at > $3
			AND (l.state = 'active' OR (l.state = 'committed'
				AND ${BOUND_REPLICAS_SQL('l.task_id', '$3')} < (SELECT t.replicas_wanted FROM tasks t WHERE t.id = l.task_id)))
		RETURNING l.id, l.expires_at`,
		[leaseId, worker, now, now + ctx.config.leaseMs, LEASE_LIFETIME_MS_MAX]
	);
	if (!row) {
		const [lease] = await ctx.db.query<{ worker: string; state: string; expires_at: unknown }>('SELECT worker, state, expires_at FROM leases WHERE id = $1', [leaseId]);
		if (!lease || lease.worker !== worker) throw new HttpError(409, 'lease_not_held', `you do not hold lease ${leaseId}`);
		// A committed lease whose reveal is open stays held until it lapses; the heartbeat just does not extend it.
		if (lease.state === 'committed' && int(lease.expires_at) > now) return { leaseId, expiresAt: int(lease.expires_at) };
		throw new HttpError(410, 'lease_expired', `lease ${leaseId} has expired or was already used`);
	}
	return { leaseId, expiresAt: int(row.expires_at) };
}

import { HttpError } from '../api/http-error.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';

/**
 * Extends a lease its holder still holds; an expired lease cannot be revived (it may be reissued).
 * Never shortens one: a prefetched lease keeps the long expiry it was granted.
 */
export async function heartbeatLease(ctx: RelayContext, worker: string, leaseId: string, now: number): Promise<{ leaseId: string; expiresAt: number }> {
	const expiresAt = now + ctx.config.leaseMs;
	const [row] = await ctx.db.query<{ id: string; expires_at: unknown }>(
		`UPDATE leases SET expires_at = GREATEST(expires_at, $4) WHERE id = $1 AND worker = $2 AND state IN ('active', 'committed') AND expires_at > $3 RETURNING id, expires_at`,
		[leaseId, worker, now, expiresAt]
	);
	if (!row) {
		const [lease] = await ctx.db.query<{ worker: string }>('SELECT worker FROM leases WHERE id = $1', [leaseId]);
		if (!lease || lease.worker !== worker) throw new HttpError(409, 'lease_not_held', `you do not hold lease ${leaseId}`);
		throw new HttpError(410, 'lease_expired', `lease ${leaseId} has expired or was already used`);
	}
	return { leaseId, expiresAt: int(row.expires_at) };
}

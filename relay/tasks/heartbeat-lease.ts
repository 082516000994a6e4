import { LEASE_LIFETIME_MS_MAX } from '../../src/lib/protocol/limits.js';
import { DomainError } from '../domain-error.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';
import { standingOf } from '../trust/standing.js';
import { leasesHeld } from './leases-held.js';
import { fairShare, keyWindow } from './lease-window.js';
import { BOUND_REPLICAS_SQL } from './reveal-list.js';
import { WAITING_TAKER_SQL } from './waiting-takers.js';

/**
 * Extends a lease its holder still holds; an expired lease cannot be revived (it may be reissued).
 * Never shortens one: a prefetched or speed-fitted lease keeps the long expiry it was granted.
 * Bounded: never past LEASE_LIFETIME_MS_MAX after the grant, so a device that claims to compute
 * forever cannot hold a task forever, and a committed lease only while another replica has still
 * to commit (once the reveal is open, heartbeats cannot put off revealing).
 *
 * Fair work: heartbeats keep nothing beyond the key's bounds alive (leaseBeyondBounds). While a
 * waiting key could take the task, a lease is not extended past the term its claim fitted it to
 * (LEASE_FIT_FACTOR times the device's own estimate): a device slower than it said, or one that
 * only holds, gives the task up to a key that will do it.
 */
export async function heartbeatLease(ctx: RelayContext, worker: string, leaseId: string, now: number): Promise<{ leaseId: string; expiresAt: number }> {
	const contested = await leaseBeyondBounds(ctx, worker, leaseId, now);
	const [row] = await ctx.db.query<{ id: string; expires_at: unknown }>(
		`UPDATE leases l SET expires_at = GREATEST(l.expires_at, LEAST($4, l.created_at + $5, CASE WHEN $6::boolean THEN coalesce(l.due_at, l.expires_at) ELSE $4 END))
		WHERE l.id = $1 AND l.worker = $2 AND l.expires_at > $3
			AND (l.state = 'active' OR (l.state = 'committed'
				AND ${BOUND_REPLICAS_SQL('l.task_id', '$3')} < (SELECT t.replicas_wanted FROM tasks t WHERE t.id = l.task_id)))
		RETURNING l.id, l.expires_at`,
		[leaseId, worker, now, now + ctx.config.leaseMs, LEASE_LIFETIME_MS_MAX, contested]
	);
	if (!row) {
		const [lease] = await ctx.db.query<{ worker: string; state: string; expires_at: unknown }>('SELECT worker, state, expires_at FROM leases WHERE id = $1', [leaseId]);
		if (!lease || lease.worker !== worker) throw new DomainError('lease_not_held', `you do not hold lease ${leaseId}`);
		// A committed lease whose reveal is open stays held until it lapses; the heartbeat just does not extend it.
		if (lease.state === 'committed' && int(lease.expires_at) > now) return { leaseId, expiresAt: int(lease.expires_at) };
		throw new DomainError('lease_expired', `lease ${leaseId} has expired or was already used`);
	}
	return { leaseId, expiresAt: int(row.expires_at) };
}

/**
 * For a lease in hand (active, not prefetched): releases it, answering 410, when it lies beyond
 * the key's window or its network's bound (concurrent claims, or several relays on one
 * database, can overshoot them), or beyond the key's fair share while a waiting key could take
 * the task. Leases rank by when they were granted, then queue order: the newest go first, and of
 * one claim the one a worker would compute last. Returns whether a waiting key could take it.
 */
async function leaseBeyondBounds(ctx: RelayContext, worker: string, leaseId: string, now: number): Promise<boolean> {
	const waiting = ctx.presence.waiting(worker, now, ctx.config.waitingMs);
	const rank = (who: string) => `(SELECT count(*) FROM leases o JOIN tasks ot ON ot.id = o.task_id
		WHERE ${who} AND o.state = 'active' AND o.expires_at > $3 AND (o.created_at, ot.queue_key, ot.seq) <= (l.created_at, t.queue_key, t.seq))`;
	const [lease] = await ctx.db.query<{ task_id: string; network: string; key_rank: unknown; network_rank: unknown; contested: boolean }>(
		`SELECT l.task_id, l.network,
			${rank('o.worker = l.worker AND NOT o.offline')} AS key_rank,
			CASE WHEN l.network = '' THEN 0 ELSE ${rank("o.network = l.network AND o.network <> ''")} END AS network_rank,
			cardinality($4::text[]) > 0 AND ${WAITING_TAKER_SQL('l.task_id', '$3', '$4', '$5', 'l.id')} AS contested
		FROM leases l JOIN tasks t ON t.id = l.task_id
		WHERE l.id = $1 AND l.worker = $2 AND l.state = 'active' AND NOT l.offline AND l.expires_at > $3`,
		[leaseId, worker, now, waiting.keys, waiting.networks]
	);
	if (!lease) return false;
	const keyRank = int(lease.key_rank);
	let why: string | null = null;
	if (int(lease.network_rank) > ctx.config.networkLeasesMax) why = `devices on this network hold more than the ${ctx.config.networkLeasesMax} leases one network may`;
	if (!why && keyRank > ctx.config.keyLeasesNew) {
		const window = keyWindow(await standingOf(ctx.db, worker, ctx.config.warmupStreak), ctx.config);
		if (keyRank > window) why = `this key holds more than the ${window} leases its record allows`;
	}
	if (!why && lease.contested) {
		const share = fairShare((await leasesHeld(ctx.db, worker, '', true, now)).unfinished, ctx.presence.onlineCount(now));
		if (keyRank > share) why = `other devices are waiting for work and this key holds more than its share (${share})`;
	}
	if (why) {
		await release(ctx, leaseId, lease.task_id, now);
		throw new DomainError('lease_expired', `lease ${leaseId} was released: ${why}`);
	}
	return lease.contested;
}

/** Ends a lease now and puts its task back in the queue at once (the claim's skip mark is cleared). */
async function release(ctx: RelayContext, leaseId: string, taskId: string, now: number): Promise<void> {
	await ctx.db.transaction(async (tx) => {
		await tx.query(`UPDATE leases SET expires_at = $2 WHERE id = $1 AND state = 'active' AND expires_at > $2`, [leaseId, now]);
		await tx.query('UPDATE tasks SET claimable_after = 0 WHERE id = $1', [taskId]);
	});
}

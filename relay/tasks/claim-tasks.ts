import { PREFETCH_TASKS_MAX, QUORUM } from '../../src/lib/protocol/limits.js';
import type { ClaimRequest, Lease } from '../../src/lib/protocol/leases.js';
import { HttpError } from '../api/http-error.js';
import type { RelayContext } from '../context.js';
import { userAccount } from '../ledger/account-ids.js';
import { int } from '../store/db.js';
import { probationStakeMicro, spotCheckDrawSql, spotCheckMicro, spotCheckProbability } from '../trust/policy.js';
import { standingOf } from '../trust/standing.js';
import { offlineLeasesHeld, recordDevice, workLimitMicro } from './devices.js';

/**
 * Hands a key work. A key once caught cheating must keep its probation stake staked to work at
 * all. A trusted key first takes tie-breaks reserved for referees, and its own tasks are never
 * replicated (its result is authoritative); everyone else gets ordinary tasks.
 */
export async function claimTasks(ctx: RelayContext, worker: string, req: ClaimRequest, now: number, network = ''): Promise<Lease[]> {
	const standing = await standingOf(ctx.db, worker, ctx.config.warmupStreak);
	const required = standing.trusted ? 0 : probationStakeMicro(standing.invalidTotal, ctx.config.probationStakeMicro);
	if (standing.stakeMicro < required) {
		throw new HttpError(
			403,
			'stake_required',
			`this key has had ${standing.invalidTotal} invalid result${standing.invalidTotal === 1 ? '' : 's'}; stake at least ${required} µcr to work again (staked: ${standing.stakeMicro} µcr)`
		);
	}
	if (req.device) await recordDevice(ctx.db, worker, req.device, now);
	// A prefetch tops the key's offline batch up to PREFETCH_TASKS_MAX, never beyond.
	if (req.offline) req = { ...req, maxTasks: Math.min(req.maxTasks, PREFETCH_TASKS_MAX - (await offlineLeasesHeld(ctx.db, worker, now))) };
	if (req.maxTasks <= 0) return [];
	const checkMicro = standing.trusted ? 0 : spotCheckMicro(spotCheckProbability(standing.validStreak, ctx.config.warmupStreak));
	// New keys are paired with proven ones while any exist, so keys that joined together (a
	// cartel, one actor's many keys) cannot make up a quorum between themselves.
	const unproven = !standing.trusted && standing.validStreak < ctx.config.warmupStreak && standing.provenKeysExist;
	const claim = { network, checkMicro, unproven, device: req.device?.id ?? '', offline: req.offline, workLimitMicro: workLimitMicro(req.device) };
	const leases = standing.trusted ? await claimFrom(ctx, worker, req, now, { ...claim, refereeOnly: true }) : [];
	if (leases.length < req.maxTasks) {
		leases.push(...(await claimFrom(ctx, worker, { ...req, maxTasks: req.maxTasks - leases.length }, now, { ...claim, refereeOnly: false })));
	}
	return leases;
}

/**
 * Leases up to `maxTasks` open tasks that still need a replica and that this key has not
 * worked on: the replicas of one task always come from different keys. A lease the same key
 * let expire may be taken again. Oldest jobs first, tiles in order, so images fill top-down.
 *
 * Adaptive replication happens here: a task nobody holds yet is fixed, for this key, as either
 * replicated (QUORUM keys must agree) or single (this key's result alone is accepted), by a
 * secret draw against the key's spot-check probability. The lease looks the same either way,
 * so a worker cannot tell a spot check from an ordinary task.
 *
 * Two live leases of one task never share a key or a network (when the relay can tell the
 * network), so a quorum never holds two results from one place; and while proven keys exist,
 * two new keys only share a task once it has waited `pairingWaitMs` for a proven one.
 *
 * One statement, so it is atomic without an explicit transaction: it makes the worker's
 * account (so payouts always have a payee), picks and locks candidates along the queue index,
 * sets their replication and writes the leases.
 *
 * A task this claim fills is marked `claimable_after` the earliest of its leases can lapse, so
 * later claims skip it along the index without looking at its leases; whatever frees a slot
 * sooner (a revoked or voided lease, a widened or reopened task) sets it back to 0.
 */
interface ClaimOptions {
	network: string;
	/** The spot-check probability in millionths. */
	checkMicro: number;
	/** Only tie-breaks reserved for trusted referees. */
	refereeOnly: boolean;
	/** A new key: it may not join another new key's fresh replica of a task. */
	unproven: boolean;
	/** The claiming device's id ('' when it sent none). */
	device: string;
	/** Prefetched for offline work: the lease lasts offlineLeaseMs. */
	offline: boolean;
	/** Largest task price this device is matched with; 0 for any. */
	workLimitMicro: number;
}

async function claimFrom(ctx: RelayContext, worker: string, req: ClaimRequest, now: number, opts: ClaimOptions): Promise<Lease[]> {
	const { network, checkMicro, refereeOnly, unproven } = opts;
	const expiresAt = now + (opts.offline ? ctx.config.offlineLeaseMs : ctx.config.leaseMs);
	const rows = await ctx.db.query<{
		lease_id: string; id: string; job_id: string; params: unknown; result_bytes: unknown; kernel: string; kernel_version: unknown;
	}>(
		`WITH account AS (
			INSERT INTO accounts (id, kind) VALUES ($5, 'user') ON CONFLICT (id) DO NOTHING
		), candidates AS (
			SELECT t.id, t.seq, t.job_id, t.params, t.result_bytes, j.kernel, j.kernel_version, t.replicas_wanted, held.live, held.next_lapse,
				${spotCheckDrawSql('$8', 't.id', '$3')} >= $9 AS single
			FROM tasks t JOIN jobs j ON j.id = t.job_id
			CROSS JOIN LATERAL (
				SELECT count(*) AS live, min(l.expires_at) FILTER (WHERE l.state IN ('active', 'committed')) AS next_lapse FROM leases l
				WHERE l.task_id = t.id AND (l.state = 'submitted' OR (l.state IN ('active', 'committed') AND l.expires_at > $2))
			) held
			WHERE t.state = 'open' AND t.claimable_after <= $2 AND t.referee_only = $11 AND j.state = 'running' AND j.kernel = ANY($1::text[])
				AND held.live < t.replicas_wanted
				AND ($17::bigint = 0 OR t.price_micro <= $17::bigint)
				AND NOT EXISTS (
					SELECT 1 FROM leases l WHERE l.task_id = t.id AND l.worker = $3 AND (l.state IN ('committed', 'submitted', 'voided', 'abandoned', 'revoked') OR l.expires_at > $2)
				)
				AND ($10 = '' OR NOT EXISTS (
					SELECT 1 FROM leases l WHERE l.task_id = t.id AND l.network = $10 AND l.worker <> $3
						AND (l.state = 'submitted' OR (l.state IN ('active', 'committed') AND l.expires_at > $2))
				))
				AND (NOT $12 OR NOT EXISTS (
					SELECT 1 FROM leases l LEFT JOIN reputations r ON r.key = l.worker
					WHERE l.task_id = t.id AND l.worker <> $3 AND l.created_at > $13 AND coalesce(r.valid_streak, 0) < $14
						AND (l.state = 'submitted' OR (l.state IN ('active', 'committed') AND l.expires_at > $2))
				))
			ORDER BY t.seq
			LIMIT $4
			FOR UPDATE OF t SKIP LOCKED
		), fixed AS (
			SELECT c.id, c.live, c.next_lapse, c.live = 0 AND c.replicas_wanted <= ${QUORUM} AS first, c.single, c.replicas_wanted,
				CASE WHEN c.live = 0 AND c.replicas_wanted <= ${QUORUM} THEN (CASE WHEN c.single THEN 1 ELSE ${QUORUM} END) ELSE c.replicas_wanted END AS wanted
			FROM candidates c
		), replication AS (
			UPDATE tasks SET
				replicas_wanted = f.wanted,
				single_worker = CASE WHEN f.first THEN (CASE WHEN f.single THEN $3 ELSE NULL END) ELSE tasks.single_worker END,
				claimable_after = CASE WHEN f.live + 1 >= f.wanted THEN least(coalesce(f.next_lapse, $7), $7) ELSE 0 END
			FROM fixed f
			WHERE tasks.id = f.id
		), leased AS (
			INSERT INTO leases (id, task_id, worker, state, backend, created_at, expires_at, network, device, offline)
			SELECT gen_random_uuid()::text, c.id, $3, 'active', $6, $2, $7, $10, $15::text, $16::boolean FROM candidates c
			ON CONFLICT (task_id, worker) DO UPDATE
				SET id = excluded.id, backend = excluded.backend, created_at = excluded.created_at, expires_at = excluded.expires_at,
					network = excluded.network, device = excluded.device, offline = excluded.offline
				WHERE leases.state = 'active' AND leases.expires_at <= $2
			RETURNING id, task_id
		)
		SELECT l.id AS lease_id, c.id, c.job_id, c.params, c.result_bytes, c.kernel, c.kernel_version
		FROM leased l JOIN candidates c ON c.id = l.task_id
		ORDER BY c.seq`,
		[
			req.kernels,
			now,
			worker,
			req.maxTasks,
			userAccount(worker),
			req.backend,
			expiresAt,
			ctx.config.spotCheckSeed,
			checkMicro,
			network,
			refereeOnly,
			unproven,
			now - ctx.config.pairingWaitMs,
			ctx.config.warmupStreak,
			opts.device,
			opts.offline,
			opts.workLimitMicro
		]
	);
	return rows.map(
		(c): Lease => ({
			leaseId: c.lease_id,
			taskId: c.id,
			jobId: c.job_id,
			kernel: c.kernel,
			kernelVersion: int(c.kernel_version),
			params: typeof c.params === 'string' ? JSON.parse(c.params) : c.params,
			resultBytes: int(c.result_bytes),
			expiresAt
		})
	);
}

import { LEASE_FIT_FACTOR, LEASE_LIFETIME_MS_MAX, PREFETCH_TASKS_MAX, QUORUM, RETAKE_GRACE_MS, TASK_SECONDS_MAX } from '../../src/lib/protocol/limits.js';
import type { Device, KernelSpeed } from '../../src/lib/protocol/devices.js';
import type { ClaimRequest, Lease, LeaseLimit } from '../../src/lib/protocol/leases.js';
import { DomainError } from '../domain-error.js';
import type { RelayContext } from '../context.js';
import { userAccount } from '../ledger/account-ids.js';
import { int } from '../store/db.js';
import { probationStakeMicro, spotCheckDrawSql, spotCheckMicro, spotCheckProbability } from '../trust/policy.js';
import { standingOf } from '../trust/standing.js';
import { offlineLeasesHeld, recordDevice, workLimitMicro } from './devices.js';
import { leasesHeld } from './leases-held.js';
import { deviceWindowMs, deviceWorkers, fairShare, keyWindow, limitOf, unmeasuredTaskMs } from './lease-window.js';
import type { Waiting } from './presence.js';
import { WAITING_TAKER_SQL } from './waiting-takers.js';

/** What a claim got, and the bound that kept it short when one did (not a lack of open work). */
export interface Claimed {
	leases: Lease[];
	limit?: LeaseLimit;
}

/** No bound: larger than any count a claim compares with it. */
const UNBOUNDED = 1_000_000_000;

/**
 * Hands a key work. A key once caught cheating must keep its probation stake staked to work at
 * all. A trusted key first takes tie-breaks reserved for referees, and its own tasks are never
 * replicated (its result is authoritative); everyone else gets ordinary tasks.
 *
 * Fair work: a key holds at most what its record allows (lease-window.ts) and its device can
 * finish within a couple of lease lengths; its network at most networkLeasesMax; and while
 * other keys wait for work they could take, at most its fair share. A claim a bound keeps short
 * says which (`limit`), so the page does not say "no work" when the truth is "you hold enough".
 * A claim that found less open work than it had room for, and left its key with none in hand,
 * marks the key waiting.
 */
export async function claimTasks(ctx: RelayContext, worker: string, req: ClaimRequest, now: number, network = ''): Promise<Claimed> {
	const standing = await standingOf(ctx.db, worker, ctx.config.warmupStreak);
	const required = standing.trusted ? 0 : probationStakeMicro(standing.invalidTotal, ctx.config.probationStakeMicro);
	if (standing.stakeMicro < required) {
		throw new DomainError(
			'stake_required',
			`this key has had ${standing.invalidTotal} invalid result${standing.invalidTotal === 1 ? '' : 's'}; stake at least ${required} µcr to work again (staked: ${standing.stakeMicro} µcr)`
		);
	}
	if (req.device) await recordDevice(ctx.db, worker, req.device, now);
	// The bound that cut the claim shortest, told with what is held once the claim is done.
	let limited: ((leased: number) => LeaseLimit) | undefined;
	let room = req.maxTasks;
	const cut = (allowed: number, why: (leased: number) => LeaseLimit) => {
		if (allowed >= room) return;
		room = Math.max(0, allowed);
		limited = why;
	};
	// A prefetch tops the key's offline batch up to PREFETCH_TASKS_MAX, never beyond.
	if (req.offline) {
		const prefetched = await offlineLeasesHeld(ctx.db, worker, now);
		cut(PREFETCH_TASKS_MAX - prefetched, (n) => limitOf.prefetch(prefetched + n, PREFETCH_TASKS_MAX));
	}
	const waiting = req.offline ? { keys: [], networks: [] } : ctx.presence.waiting(worker, now, ctx.config.waitingMs);
	const held = await leasesHeld(ctx.db, worker, network, waiting.keys.length > 0, now);
	const window = req.offline ? UNBOUNDED : keyWindow(standing, ctx.config);
	if (network !== '') cut(ctx.config.networkLeasesMax - held.network, (n) => limitOf.network(held.network + n, ctx.config.networkLeasesMax));
	cut(window - held.key, (n) => limitOf.key(held.key + n, window, ctx.config));
	const share = waiting.keys.length > 0 ? fairShare(held.unfinished, ctx.presence.onlineCount(now)) : UNBOUNDED;
	if (room <= 0) {
		if (!req.offline) ctx.presence.fed(worker);
		return limited ? { leases: [], limit: limited(0) } : { leases: [] };
	}
	const checkMicro = standing.trusted ? 0 : spotCheckMicro(spotCheckProbability(standing.validStreak, ctx.config.warmupStreak));
	// New keys are paired with proven ones while any exist, so keys that joined together (a
	// cartel, one actor's many keys) cannot make up a quorum between themselves.
	const unproven = !standing.trusted && standing.validStreak < ctx.config.warmupStreak && standing.provenKeysExist;
	const claim = {
		network,
		checkMicro,
		unproven,
		device: req.device?.id ?? '',
		offline: req.offline,
		workLimitMicro: workLimitMicro(req.device),
		speeds: speedsFor(req.device, req.kernels),
		keyWindow: window,
		share,
		workers: deviceWorkers(req.device),
		// A claim with no device says nothing of its speed: only the key's window bounds it.
		windowMs: req.device ? deviceWindowMs(req.device, ctx.config.leaseMs) : UNBOUNDED,
		waiting
	};
	const first = standing.trusted ? await claimFrom(ctx, worker, { ...req, maxTasks: room }, now, { ...claim, refereeOnly: true }) : null;
	const tieBreaks = first?.leases.length ?? 0;
	const leases = [...(first?.leases ?? [])];
	let outcome = first ?? { leases: [], offered: 0, held: held.key };
	if (leases.length < room) {
		outcome = await claimFrom(ctx, worker, { ...req, maxTasks: room - tieBreaks }, now, { ...claim, refereeOnly: false });
		leases.push(...outcome.leases);
	}
	const short = leases.length < room;
	// Did the statement find open work enough for its room? Then a window in it cut the claim.
	const found = outcome.offered >= room - tieBreaks;
	if (short && found) {
		const inHand = outcome.held + outcome.leases.length;
		limited = () => (inHand >= window ? limitOf.key(inHand, window, ctx.config) : inHand >= share ? limitOf.share(inHand, share, held.unfinished) : limitOf.device(inHand, claim.windowMs));
	}
	if (!req.offline) {
		// Left with no work in hand for want of open work: the key waits for work.
		if (short && !found && outcome.held + leases.length === 0) ctx.presence.waited(worker, network, now);
		else ctx.presence.fed(worker);
	}
	return leases.length < req.maxTasks && limited ? { leases, limit: limited(leases.length) } : { leases };
}

/**
 * Leases up to `maxTasks` open tasks that still need a replica and that this key has not
 * worked on: the replicas of one task always come from different keys. A lease the same key
 * let expire may be taken again, and so may a task whose commitment lapsed before the other
 * replicas committed (nothing was withheld; without this, two devices whose leases lapsed could
 * never finish a task between them). Running jobs take turns tile by tile (tasks.queue_key,
 * migration 007), each in tile order, so every job moves and each image fills top-down.
 *
 * Leases fit the device: with the speed it measured for the task's kernel and cost class, a
 * device is never handed a task it would take longer than TASK_SECONDS_MAX for, and its lease
 * lasts LEASE_FIT_FACTOR times its estimate (at least LEASE_MS; heartbeats extend it up to
 * LEASE_LIFETIME_MS_MAX). A device that reports no speeds falls back to its one benchmark score.
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
 *
 * Windows, counted in the same statement as the leases they bound: the key's leases in hand
 * plus these stay within `keyWindow`; within `share` where a waiting key could take the task
 * instead; and within the device's compute window (`windowMs`: each lease costs the device's
 * estimate for it), though each of its workers may always hold one. While keys wait, a task
 * whose lease this key or its network let lapse within RETAKE_GRACE_MS is left to them.
 * Prefetched claims have their own cap instead.
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
	/** Largest task price this device is matched with when it reported no kernel speeds; 0 for any. */
	workLimitMicro: number;
	/** The device's measured speed per kernel and cost class, one entry each. */
	speeds: readonly KernelSpeed[];
	/** Leases the key may hold in all (lease-window.ts). */
	keyWindow: number;
	/** Its fair share while keys wait (UNBOUNDED when none does). */
	share: number;
	/** Leases always allowed (one per worker) and the compute time the device may hold, ms. */
	workers: number;
	windowMs: number;
	/** Keys waiting for work (presence.ts). */
	waiting: Waiting;
}

/** The leases a claim made, the open tasks it found, and the leases in hand before it. */
interface ClaimRows {
	leases: Lease[];
	offered: number;
	held: number;
}

async function claimFrom(ctx: RelayContext, worker: string, req: ClaimRequest, now: number, opts: ClaimOptions): Promise<ClaimRows> {
	const { network, checkMicro, refereeOnly, unproven } = opts;
	const estimateMs = (price: string) => `(CASE WHEN s.speed > 0 THEN 1000.0 * ${price} / s.speed ELSE $27::float8 END)`;
	const rows = await ctx.db.query<{
		offered: unknown; held: unknown;
		lease_id: string | null; id: string; job_id: string; params: unknown; result_bytes: unknown; kernel: string; kernel_version: unknown; expires_at: unknown;
	}>(
		`WITH account AS (
			INSERT INTO accounts (id, kind) VALUES ($5, 'user') ON CONFLICT (id) DO NOTHING
		), speeds AS (
			SELECT * FROM unnest($18::text[], $19::int[], $20::float8[], $21::text[]) AS s (kernel, cls, speed, backend)
		), mine AS (
			-- Work in hand: how many leases, and the device's estimate for them in all.
			SELECT count(*) AS n, coalesce(sum(${estimateMs('t.price_micro')}), 0) AS ms
			FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id
			LEFT JOIN speeds s ON s.kernel = j.kernel AND s.cls = t.cost_class
			WHERE l.worker = $3 AND l.state = 'active' AND NOT l.offline AND l.expires_at > $2
		), candidates AS (
			SELECT t.id, t.seq, t.queue_key, t.job_id, t.params, t.result_bytes, j.kernel, j.kernel_version, t.replicas_wanted, held.live, held.next_lapse,
				${estimateMs('t.price_micro')} AS est_ms,
				${spotCheckDrawSql('$8', 't.id', '$3')} >= $9 AS single,
				coalesce(s.backend, $6) AS backend,
				-- Fitted to the device: LEASE_FIT_FACTOR times its worst-case time for the task at its
				-- measured speed, at least LEASE_MS; a prefetched lease lasts OFFLINE_LEASE_MS.
				CASE WHEN $16::boolean THEN $2 + $23::bigint
					ELSE $2 + least($22::bigint, greatest($7::bigint, ceil(${LEASE_FIT_FACTOR} * 1000.0 * t.price_micro / nullif(s.speed, 0))::bigint)) END AS expires
			FROM tasks t JOIN jobs j ON j.id = t.job_id
			LEFT JOIN speeds s ON s.kernel = j.kernel AND s.cls = t.cost_class
			CROSS JOIN LATERAL (
				SELECT count(*) AS live, min(l.expires_at) FILTER (WHERE l.state IN ('active', 'committed')) AS next_lapse FROM leases l
				WHERE l.task_id = t.id AND (l.state = 'submitted' OR (l.state IN ('active', 'committed') AND l.expires_at > $2))
			) held
			WHERE t.state = 'open' AND t.claimable_after <= $2 AND t.referee_only = $11 AND j.state = 'running' AND j.kernel = ANY($1::text[])
				AND held.live < t.replicas_wanted
				-- Never a task the device measured too slow to finish within TASK_SECONDS_MAX.
				AND (CASE WHEN s.speed IS NOT NULL THEN t.price_micro <= s.speed * ${TASK_SECONDS_MAX}
					ELSE ($17::bigint = 0 OR t.price_micro <= $17::bigint) END)
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
				-- A task this key or its network just let lapse goes to a waiting key that could take it first.
				AND (cardinality($28::text[]) = 0 OR NOT EXISTS (
					SELECT 1 FROM leases l WHERE l.task_id = t.id AND (l.worker = $3 OR ($10 <> '' AND l.network = $10))
						AND l.state = 'active' AND l.expires_at <= $2 AND l.expires_at > $2 - ${RETAKE_GRACE_MS}
				) OR NOT ${WAITING_TAKER_SQL('t.id', '$2', '$28', '$29', "''")})
			ORDER BY t.queue_key, t.seq
			LIMIT $4
			FOR UPDATE OF t SKIP LOCKED
		), windowed AS (
			SELECT r.* FROM (
				SELECT c.*, row_number() OVER w AS rank, sum(c.est_ms) OVER w AS cum_ms FROM candidates c
				WINDOW w AS (ORDER BY c.queue_key, c.seq ROWS UNBOUNDED PRECEDING)
			) r CROSS JOIN mine m
			WHERE $16::boolean OR (m.n + r.rank <= $24::bigint
				AND (m.n + r.rank <= $26::bigint OR m.ms + r.cum_ms <= $25::float8)
				AND (m.n + r.rank <= $30::bigint OR NOT ${WAITING_TAKER_SQL('r.id', '$2', '$28', '$29', "''")}))
		), fixed AS (
			SELECT c.id, c.live, c.next_lapse, c.expires, c.live = 0 AND c.replicas_wanted <= ${QUORUM} AS first, c.single, c.replicas_wanted,
				CASE WHEN c.live = 0 AND c.replicas_wanted <= ${QUORUM} THEN (CASE WHEN c.single THEN 1 ELSE ${QUORUM} END) ELSE c.replicas_wanted END AS wanted
			FROM windowed c
		), replication AS (
			UPDATE tasks SET
				replicas_wanted = f.wanted,
				single_worker = CASE WHEN f.first THEN (CASE WHEN f.single THEN $3 ELSE NULL END) ELSE tasks.single_worker END,
				claimable_after = CASE WHEN f.live + 1 >= f.wanted THEN least(coalesce(f.next_lapse, f.expires), f.expires) ELSE 0 END
			FROM fixed f
			WHERE tasks.id = f.id
		), leased AS (
			-- A key may take a task again where its own lease ran out unused, or where its commitment
			-- lapsed before the other replicas committed ('lapsed': it withheld nothing).
			INSERT INTO leases (id, task_id, worker, state, backend, created_at, expires_at, due_at, network, device, offline)
			SELECT gen_random_uuid()::text, c.id, $3, 'active', c.backend, $2, c.expires, c.expires, $10, $15::text, $16::boolean FROM windowed c
			ON CONFLICT (task_id, worker) DO UPDATE
				SET id = excluded.id, state = 'active', commitment = NULL, committed_at = NULL, backend = excluded.backend,
					created_at = excluded.created_at, expires_at = excluded.expires_at, due_at = excluded.due_at,
					network = excluded.network, device = excluded.device, offline = excluded.offline
				WHERE (leases.state = 'active' AND leases.expires_at <= $2) OR leases.state = 'lapsed'
			RETURNING id, task_id, expires_at
		)
		-- One row even when nothing was leased: what the claim found and held tells why.
		SELECT o.offered, o.held, x.lease_id, x.id, x.job_id, x.params, x.result_bytes, x.kernel, x.kernel_version, x.expires_at
		FROM (SELECT (SELECT count(*) FROM candidates) AS offered, m.n AS held FROM mine m) o
		LEFT JOIN (
			SELECT l.id AS lease_id, c.id, c.job_id, c.params, c.result_bytes, c.kernel, c.kernel_version, l.expires_at, c.queue_key, c.seq
			FROM leased l JOIN windowed c ON c.id = l.task_id
		) x ON true
		ORDER BY x.queue_key, x.seq`,
		[
			req.kernels,
			now,
			worker,
			req.maxTasks,
			userAccount(worker),
			req.backend,
			ctx.config.leaseMs,
			ctx.config.spotCheckSeed,
			checkMicro,
			network,
			refereeOnly,
			unproven,
			now - ctx.config.pairingWaitMs,
			ctx.config.warmupStreak,
			opts.device,
			opts.offline,
			opts.workLimitMicro,
			opts.speeds.map((s) => s.kernel),
			opts.speeds.map((s) => s.cls),
			opts.speeds.map((s) => s.speed),
			opts.speeds.map((s) => s.backend),
			LEASE_LIFETIME_MS_MAX,
			ctx.config.offlineLeaseMs,
			opts.keyWindow,
			opts.windowMs,
			opts.workers,
			unmeasuredTaskMs(ctx.config.leaseMs),
			opts.waiting.keys,
			opts.waiting.networks,
			opts.share
		]
	);
	const leases = rows.flatMap((c): Lease[] => {
		if (c.lease_id === null) return [];
		const params = typeof c.params === 'string' ? JSON.parse(c.params) : c.params;
		return [{ leaseId: c.lease_id, taskId: c.id, jobId: c.job_id, kernel: c.kernel, kernelVersion: int(c.kernel_version), params, resultBytes: int(c.result_bytes), expiresAt: int(c.expires_at) }];
	});
	return { leases, offered: int(rows[0]?.offered ?? 0), held: int(rows[0]?.held ?? 0) };
}

/** One speed per kernel and cost class (the first given), for the kernels this claim asks for. */
function speedsFor(device: Device | undefined, kernels: readonly string[]): KernelSpeed[] {
	const seen = new Set<string>();
	const out: KernelSpeed[] = [];
	for (const s of device?.kernels ?? []) {
		const id = `${s.kernel}:${s.cls}`;
		if (seen.has(id) || !kernels.includes(s.kernel)) continue;
		seen.add(id);
		out.push(s);
	}
	return out;
}

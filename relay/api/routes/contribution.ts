// GET /accounts/:key/contribution: one read for "My contribution": reputation, per-device
// figures and hourly buckets. Unsigned like the other account reads: all of it is public.
import * as v from 'valibot';
import { PublicKeyHexSchema } from '../../../src/lib/protocol/auth.js';
import {
	CONTRIBUTION_BUCKET_MS,
	CONTRIBUTION_DEVICES_MAX,
	CONTRIBUTION_HOURS_DEFAULT,
	CONTRIBUTION_HOURS_MAX,
	CONTRIBUTION_HOURS_MIN,
	DEVICE_GPU_CHARS_MAX,
	type Contribution,
	type ContributionHour,
	type DeviceContribution,
	type WorkTally
} from '../../../src/lib/protocol/accounts.js';
import { starterAccount, userAccount } from '../../ledger/account-ids.js';
import { balanceOf } from '../../ledger/transfer.js';
import { int, type Sql } from '../../store/db.js';
import { probationStakeMicro } from '../../trust/policy.js';
import { spotCheckProbability } from '../../trust/policy.js';
import { standingOf } from '../../trust/standing.js';
import { badRequest } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

type TallyRow = { device: string; accepted: unknown; rejected: unknown; earned: unknown };

const zeroTally = (): WorkTally => ({ resultsAccepted: 0, resultsRejected: 0, earnedMicro: 0 });

function hoursParam(raw: unknown): number {
	if (raw === undefined) return CONTRIBUTION_HOURS_DEFAULT;
	const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
	if (!(n >= CONTRIBUTION_HOURS_MIN && n <= CONTRIBUTION_HOURS_MAX)) {
		throw badRequest(`hours must be an integer in [${CONTRIBUTION_HOURS_MIN}, ${CONTRIBUTION_HOURS_MAX}]`);
	}
	return n;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/**
 * The adapter in words. The claim stores whatever the browser reported (jsonb); pick the fields
 * WebGPU's GPUAdapterInfo has, so the page never depends on the stored shape.
 */
export function gpuWords(gpu: unknown): string | null {
	if (gpu === null || gpu === undefined) return null;
	// On Postgres a jsonb written as JSON text reads back as that text (as job specs do).
	if (typeof gpu === 'string') {
		const parsed = parseJson(gpu);
		if (parsed !== undefined && typeof parsed !== 'string') return gpuWords(parsed);
		return (typeof parsed === 'string' ? parsed : gpu).slice(0, DEVICE_GPU_CHARS_MAX) || 'WebGPU';
	}
	if (typeof gpu !== 'object') return 'WebGPU';
	const info = gpu as Record<string, unknown>;
	const parts: string[] = [];
	for (const field of ['description', 'vendor', 'architecture', 'device', 'name']) {
		const value = info[field];
		if (typeof value === 'string' && value.trim() !== '' && !parts.includes(value.trim())) parts.push(value.trim());
	}
	return (parts.join(' · ') || 'WebGPU').slice(0, DEVICE_GPU_CHARS_MAX);
}

/**
 * Results and payouts per device. A key holds one lease per task, so a payout (task, key) names
 * exactly the lease, and so the device, that earned it; '' is a lease with no recorded device.
 */
async function tallyByDevice(db: Sql, key: string): Promise<Map<string, WorkTally>> {
	const results = await db.query<TallyRow>(
		`SELECT l.device AS device,
			count(*) FILTER (WHERE r.verdict = 'agreed') AS accepted,
			count(*) FILTER (WHERE r.verdict = 'rejected') AS rejected,
			0 AS earned
		FROM results r JOIN leases l ON l.id = r.lease_id
		WHERE r.worker = $1
		GROUP BY l.device`,
		[key]
	);
	const payouts = await db.query<TallyRow>(
		`SELECT coalesce(l.device, '') AS device, 0 AS accepted, 0 AS rejected, sum(t.amount_micro) AS earned
		FROM transfers t LEFT JOIN leases l ON l.task_id = t.task_id AND l.worker = $1
		WHERE t.credit IN ($2, $3) AND t.reason = 'payout'
		GROUP BY coalesce(l.device, '')`,
		[key, userAccount(key), starterAccount(key)]
	);
	const byDevice = new Map<string, WorkTally>();
	for (const row of [...results, ...payouts]) {
		const t = byDevice.get(row.device) ?? zeroTally();
		t.resultsAccepted += int(row.accepted);
		t.resultsRejected += int(row.rejected);
		t.earnedMicro += int(row.earned);
		byDevice.set(row.device, t);
	}
	return byDevice;
}

/** `hours` buckets ending with the current hour: results by submission time, payouts by payment time. */
async function hourlyOf(db: Sql, key: string, hours: number, now: number): Promise<ContributionHour[]> {
	const from = (Math.floor(now / CONTRIBUTION_BUCKET_MS) - (hours - 1)) * CONTRIBUTION_BUCKET_MS;
	const bucket = (column: string) => `((${column} - $2::bigint) / ${CONTRIBUTION_BUCKET_MS})::int`;
	const rows = await db.query<{ bucket: unknown; accepted: unknown; rejected: unknown; earned: unknown }>(
		`SELECT bucket, sum(accepted) AS accepted, sum(rejected) AS rejected, sum(earned) AS earned FROM (
			SELECT ${bucket('submitted_at')} AS bucket,
				count(*) FILTER (WHERE verdict = 'agreed') AS accepted,
				count(*) FILTER (WHERE verdict = 'rejected') AS rejected,
				0 AS earned
			FROM results WHERE worker = $1 AND submitted_at >= $2::bigint GROUP BY 1
			UNION ALL
			SELECT ${bucket('created_at')} AS bucket, 0 AS accepted, 0 AS rejected, sum(amount_micro) AS earned
			FROM transfers WHERE credit IN ($3, $4) AND reason = 'payout' AND created_at >= $2::bigint GROUP BY 1
		) x GROUP BY bucket`,
		[key, from, userAccount(key), starterAccount(key)]
	);
	const hourly: ContributionHour[] = Array.from({ length: hours }, (_, i) => ({ start: from + i * CONTRIBUTION_BUCKET_MS, ...zeroTally() }));
	for (const row of rows) {
		// A row stamped after `now` (another relay's clock) goes in the current hour.
		const h = hourly[Math.min(int(row.bucket), hours - 1)];
		if (!h) continue;
		h.resultsAccepted += int(row.accepted);
		h.resultsRejected += int(row.rejected);
		h.earnedMicro += int(row.earned);
	}
	return hourly;
}

async function devicesOf(db: Sql, key: string): Promise<Omit<DeviceContribution, keyof WorkTally>[]> {
	const rows = await db.query<{ id: string; label: string; cores: unknown; memory_gb: unknown; gpu: unknown; score: unknown; first_seen_at: unknown; last_seen_at: unknown }>(
		`SELECT id, label, cores, memory_gb, gpu, score, first_seen_at, last_seen_at FROM devices
		WHERE key = $1 ORDER BY last_seen_at DESC, id LIMIT ${CONTRIBUTION_DEVICES_MAX}`,
		[key]
	);
	return rows.map((d) => ({
		id: d.id,
		label: d.label,
		cores: Number(d.cores),
		memoryGb: Number(d.memory_gb),
		gpu: gpuWords(d.gpu),
		score: Number(d.score),
		firstSeenAt: int(d.first_seen_at),
		lastSeenAt: int(d.last_seen_at)
	}));
}

export const contributionRoute = defineRoute(ENDPOINTS.contribution, {
	async handle({ ctx, params, req, now }) {
		const key = params.key;
		if (!v.is(PublicKeyHexSchema, key)) throw badRequest('account key must be a 32-byte hex public key');
		const hours = hoursParam(req.query.hours);
		const { warmupStreak } = ctx.config;
		const standing = await standingOf(ctx.db, key, warmupStreak);
		const [rep] = await ctx.db.query<{ valid_total: unknown; slashed_micro: unknown; clawed_back_micro: unknown }>(
			'SELECT valid_total, slashed_micro, clawed_back_micro FROM reputations WHERE key = $1',
			[key]
		);
		const tallies = await tallyByDevice(ctx.db, key);
		const totals = zeroTally();
		for (const t of tallies.values()) {
			totals.resultsAccepted += t.resultsAccepted;
			totals.resultsRejected += t.resultsRejected;
			totals.earnedMicro += t.earnedMicro;
		}
		const devices = (await devicesOf(ctx.db, key)).map((d) => {
			const tally = tallies.get(d.id) ?? zeroTally();
			tallies.delete(d.id);
			return { ...d, ...tally };
		});
		// Whatever no listed device took: leases with no device recorded, or devices beyond the list.
		const otherDevices = zeroTally();
		for (const t of tallies.values()) {
			otherDevices.resultsAccepted += t.resultsAccepted;
			otherDevices.resultsRejected += t.resultsRejected;
			otherDevices.earnedMicro += t.earnedMicro;
		}
		const contribution: Contribution = {
			key,
			now,
			bucketMs: CONTRIBUTION_BUCKET_MS,
			// As GET /accounts/:key: balance plus starter credits.
			balanceMicro: (await balanceOf(ctx.db, userAccount(key))) + (await balanceOf(ctx.db, starterAccount(key))),
			totals,
			reputation: {
				validStreak: standing.validStreak,
				validTotal: rep ? int(rep.valid_total) : 0,
				invalidTotal: standing.invalidTotal,
				stakeMicro: standing.stakeMicro,
				stakeRequiredMicro: standing.trusted ? 0 : probationStakeMicro(standing.invalidTotal, ctx.config.probationStakeMicro),
				trusted: standing.trusted,
				// A trusted key's tasks are never replicated (see claimTasks).
				spotCheckProbability: standing.trusted ? 0 : spotCheckProbability(standing.validStreak, warmupStreak),
				replicatedUntilStreak: warmupStreak,
				slashedMicro: rep ? int(rep.slashed_micro) : 0,
				clawedBackMicro: rep ? int(rep.clawed_back_micro) : 0
			},
			devices,
			otherDevices,
			hourly: await hourlyOf(ctx.db, key, hours, now)
		};
		return { json: contribution };
	}
});

// `npm run sim -- liveness [--devices 60] [--jobs 6] [--ideal-s 90] [--leave 0.3] [--lease-ms 10000] [--seed 1]`
//
// Every job finishes: the real relay over HTTP with a population of simulated devices (the CPU
// twins in Node, sim-device.ts) whose speeds spread over 100× (task times from 0.2 s to 20 s by
// default, so the slowest take longer than the 10 s lease), several jobs at once, and 30% of the
// devices leaving in the middle of a task (half of them coming back later with the same key).
// Every tile must be accepted by two agreeing keys (adaptive replication is off: the hardest case
// for liveness). Prints one JSON line: jobs completed / created, stalls (a job with no accepted
// tile for longer than the stated bound), tiles re-queued, completion time against the ideal
// (total work ÷ the devices' total speed while online), p50/p99 tile latency, double pays.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSummary } from '../src/lib/protocol/jobs.js';
import type { Lease } from '../src/lib/protocol/leases.js';
import { LEASE_FIT_FACTOR, QUORUM } from '../src/lib/protocol/limits.js';
import { priceTileMicro } from '../src/lib/kernels/mandelbrot/meta.js';
import { checkInvariants } from '../relay/ledger/invariants.js';
import { int } from '../relay/store/db.js';
import { openDb } from '../relay/store/open-db.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import { spawnRelay } from '../relay/testing/relay-process.js';
import { SimDevice } from './sim-device.js';

export interface LivenessOptions {
	devices: number;
	jobs: number;
	/** The run's size: total work ÷ total device speed, in seconds. */
	idealS: number;
	/** Share of devices that leave mid-task; half of them come back. */
	leaveShare: number;
	leaseMs: number;
	taskMsMin: number;
	taskMsMax: number;
	seed: number;
	log: (line: string) => void;
}

/** Tiles are 64² at 200 iterations and 2 limbs: 164 µcr of work each. */
const TILE = 64;
const MAX_ITER = 200;
const TILE_PRICE = priceTileMicro(TILE, TILE, MAX_ITER, 2);
const COLUMNS = 32;
const ROWS_MAX = 33;
/** A run that has not finished after this many ideal times is over: whatever is left stalled. */
const GIVE_UP_FACTOR = 10;
const POLL_MS = 1_000;

/** Small, seeded, good enough for choosing speeds and departures. */
function rng(seed: number): () => number {
	let a = seed >>> 0 || 1;
	return () => {
		a ^= a << 13;
		a ^= a >>> 17;
		a ^= a << 5;
		return (a >>> 0) / 2 ** 32;
	};
}

const quantile = (xs: readonly number[], q: number) => {
	if (xs.length === 0) return null;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function simulate(opts: LivenessOptions): Promise<Record<string, unknown>> {
	const random = rng(opts.seed);
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-liveness-'));
	const operator = new NodeSigner();
	const relay = await spawnRelay(
		{
			PORT: '0',
			DATA_DIR: dataDir,
			STATIC_DIR: '',
			DEMO_GRANT_MICRO: '0',
			TRUST_PROXY: '1',
			OPERATOR_PUBLIC_KEY: operator.publicKeyHex,
			LEASE_MS: String(opts.leaseMs),
			// Every task replicated: no key ever earns spot-checks, so every tile needs two devices.
			TRUST_WARMUP_STREAK: '1000000',
			// Simulated devices compute in no time, so their keys ask more often than a browser's do.
			RATE_KEY_REQUESTS_PER_MIN: '60000',
			NONCES_PER_KEY_MAX: '300000'
		},
		{ timeoutMs: 90_000 }
	);
	if (!relay) throw new Error('the relay did not start');
	try {
		// Speeds log-uniform over taskMsMin..taskMsMax per tile.
		const speeds = Array.from({ length: opts.devices }, () => {
			const ms = opts.taskMsMin * (opts.taskMsMax / opts.taskMsMin) ** random();
			return (TILE_PRICE * 1000) / ms;
		});
		const totalSpeed = speeds.reduce((a, b) => a + b, 0);
		const tilesWanted = Math.ceil((opts.idealS * totalSpeed) / (QUORUM * TILE_PRICE));
		const rows = Math.min(ROWS_MAX, Math.max(1, Math.ceil(tilesWanted / opts.jobs / COLUMNS)));

		const requester = new ApiClient(relay.url, new NodeSigner());
		const op = new ApiClient(relay.url, operator);
		const minted = await op.post('/mint', { to: requester.key, amountMicro: 1_000_000_000_000, ref: 'liveness-requester' });
		if (minted.status !== 200) throw new Error(`mint: ${minted.status} ${JSON.stringify(minted.body)}`);

		const firstLease = new Map<string, number>();
		const acceptedAt = new Map<string, number>();
		const requeued = new Set<string>();
		const payees = new Map<string, number>();
		const stop = new AbortController();
		const devices = speeds.map(
			(speed, i) =>
				new SimDevice(relay.url, i, `11.${(i >> 8) & 255}.${i & 255}.7`, speed, opts.leaseMs, {
					leased: (l: Lease) => void (firstLease.has(l.taskId) || firstLease.set(l.taskId, Date.now())),
					verdict: (l: Lease, verdict: string, paid: number) => {
						if (verdict === 'accepted' && !acceptedAt.has(l.taskId)) acceptedAt.set(l.taskId, Date.now());
						if (paid > 0) payees.set(l.taskId, (payees.get(l.taskId) ?? 0) + 1);
					},
					left: (ls: readonly Lease[]) => ls.forEach((l) => acceptedAt.has(l.taskId) || requeued.add(l.taskId))
				})
		);

		const started = Date.now();
		const jobs: JobSummary[] = [];
		for (let j = 0; j < opts.jobs; j++) {
			const spec = { centerRe: '-0.5', centerIm: '0', zoom: '0.6', width: COLUMNS * TILE, height: rows * TILE, maxIter: MAX_ITER, tile: TILE };
			const res = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec, budgetMicro: 100_000_000_000, clientRef: `liveness-${opts.seed}-${j}` });
			if (res.status !== 201) throw new Error(`job: ${res.status} ${JSON.stringify(res.body)}`);
			jobs.push(res.body);
		}
		const totalTiles = jobs.reduce((s, j) => s + j.tasks, 0);
		opts.log(`${opts.devices} devices (${(totalSpeed / 1000).toFixed(1)}k µcr/s in all), ${opts.jobs} jobs × ${jobs[0]?.tasks} tiles; ideal ${opts.idealS} s`);

		// Departures: who leaves, when (mid-run, in the middle of whatever it computes), and who comes back.
		const leavers = devices.filter(() => random() < opts.leaveShare);
		const running = devices.map((d) => d.run(stop.signal));
		const departures = leavers.map(async (d, k) => {
			await sleep((0.1 + 0.6 * random()) * opts.idealS * 1000);
			d.leave();
			await running[d.id];
			if (k % 2 === 0 && !stop.signal.aborted) {
				await sleep(5_000 + 25_000 * random());
				if (!stop.signal.aborted) running[d.id] = d.run(stop.signal);
			}
		});

		// Wait for every job, watching for stalls: a running job with no accepted tile for longer than the bound.
		const stallBoundMs = (LEASE_FIT_FACTOR + 1) * opts.taskMsMax + opts.leaseMs + 10_000;
		const lastProgress = new Map(jobs.map((j) => [j.id, started]));
		const lastDone = new Map(jobs.map((j) => [j.id, 0]));
		const stalled = new Set<string>();
		const doneAt = new Map<string, number>();
		let stalls = 0;
		let longestGapMs = 0;
		const deadline = started + GIVE_UP_FACTOR * opts.idealS * 1000;
		const progress = setInterval(() => opts.log(`${acceptedAt.size} / ${totalTiles} tiles accepted, ${requeued.size} re-queued, ${Math.round((Date.now() - started) / 1000)} s`), 15_000);
		while (doneAt.size < jobs.length && Date.now() < deadline) {
			await sleep(POLL_MS);
			const list = await requester.get<{ jobs: JobSummary[] }>(`/jobs?requester=${requester.key}`);
			const now = Date.now();
			for (const j of list.body.jobs) {
				if (doneAt.has(j.id) || !lastProgress.has(j.id)) continue;
				if (j.tasksDone > (lastDone.get(j.id) ?? 0)) {
					longestGapMs = Math.max(longestGapMs, now - (lastProgress.get(j.id) ?? now));
					lastProgress.set(j.id, now);
					lastDone.set(j.id, j.tasksDone);
					stalled.delete(j.id);
				}
				if (j.state !== 'running') doneAt.set(j.id, now);
				else if (now - (lastProgress.get(j.id) ?? now) > stallBoundMs && !stalled.has(j.id)) {
					stalled.add(j.id);
					stalls++;
					opts.log(`job ${j.id} stalled: no tile accepted for ${Math.round((now - (lastProgress.get(j.id) ?? now)) / 1000)} s (${j.tasksDone}/${j.tasks})`);
				}
			}
		}
		clearInterval(progress);
		const finishedAt = Math.max(...doneAt.values(), Date.now());
		stop.abort();
		await Promise.allSettled([...running, ...departures]);
		const list = (await requester.get<{ jobs: JobSummary[] }>(`/jobs?requester=${requester.key}`)).body.jobs;
		const health = await requester.get<{ ok: boolean }>('/health');
		await relay.stop();

		// Double pays and the ledger's invariants, from the relay's own books.
		const db = await openDb({ databaseUrl: null, dataDir });
		let doublePays = 0;
		let overPaidTasks = 0;
		let ledgerProblems: string[] = [];
		try {
			const dup = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM (SELECT task_id, credit FROM transfers WHERE reason = 'payout' GROUP BY task_id, credit HAVING count(*) > 1) x`);
			doublePays = int(dup[0]?.n ?? 0);
			const over = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM (SELECT task_id FROM transfers WHERE reason = 'payout' GROUP BY task_id HAVING count(*) > ${QUORUM}) x`);
			overPaidTasks = int(over[0]?.n ?? 0);
			ledgerProblems = await checkInvariants(db);
		} finally {
			await db.close();
		}
		const runMs = finishedAt - started;
		const effectiveSpeed = devices.reduce((s, d) => s + (d.speed * Math.min(d.onlineMs, runMs)) / runMs, 0);
		const idealMs = (totalTiles * QUORUM * TILE_PRICE * 1000) / effectiveSpeed;
		const latencies = [...acceptedAt].map(([task, at]) => at - (firstLease.get(task) ?? at));
		const report = {
			sim: 'liveness',
			scenario: `${opts.devices} devices, ${Math.round(opts.taskMsMax / opts.taskMsMin)}× speed spread, ${Math.round(opts.leaveShare * 100)}% leave`,
			devices: opts.devices,
			slowerThanLease: speeds.filter((s) => (TILE_PRICE * 1000) / s > opts.leaseMs).length,
			leaseMs: opts.leaseMs,
			taskMs: { min: opts.taskMsMin, max: opts.taskMsMax },
			devicesLeft: leavers.length,
			devicesRejoined: Math.ceil(leavers.length / 2),
			jobsCompleted: list.filter((j) => j.state === 'completed').length,
			jobsCreated: jobs.length,
			tiles: totalTiles,
			stalls,
			stallBoundMs,
			longestGapMs,
			tilesRequeued: requeued.size,
			completionS: Math.round(runMs / 100) / 10,
			idealS: Math.round(idealMs / 100) / 10,
			completionVsIdeal: Math.round((runMs / idealMs) * 100) / 100,
			tileLatencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
			doublePays,
			tasksPaidMoreThanQuorum: overPaidTasks,
			ledgerProblems: ledgerProblems.length,
			healthOk: health.body.ok,
			stepFailures: devices.reduce((s, d) => s + d.stepFailures, 0)
		};
		if (ledgerProblems.length > 0) opts.log(`ledger problems: ${ledgerProblems.join('; ')}`);
		return report;
	} finally {
		await relay.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

function flag(args: string[], name: string): string | undefined {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<void> {
	const report = await simulate({
		devices: Number(flag(args, 'devices') ?? 60),
		jobs: Number(flag(args, 'jobs') ?? 6),
		idealS: Number(flag(args, 'ideal-s') ?? 90),
		leaveShare: Number(flag(args, 'leave') ?? 0.3),
		leaseMs: Number(flag(args, 'lease-ms') ?? 10_000),
		taskMsMin: Number(flag(args, 'task-ms-min') ?? 200),
		taskMsMax: Number(flag(args, 'task-ms-max') ?? 20_000),
		seed: Number(flag(args, 'seed') ?? 1),
		log: (line) => console.error(`[sim] ${line}`)
	});
	console.log(JSON.stringify(report));
}

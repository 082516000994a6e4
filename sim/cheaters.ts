// `npm run sim -- cheaters [--quick] [--workers N] [--warmup N] [--results N] [--scenario a,b] [--task-ms N]`
//
// --task-ms N: each worker takes N ms per task on top of the CPU twin's time, as a real device
// does (seconds, not the twin's sub-millisecond tiles), so 200 workers ask the relay for no more
// than it can settle; without it the population can outrun a relay on two cores.
//
// Drives the real relay over HTTP with a population of simulated workers (the CPU twins in
// Node), first all honest until their reputations warm up, then, per scenario, with a share of
// them cheating. Each scenario starts from a copy of the warmed-up data folder, so all of them
// meet the same reputations. Prints one JSON line per scenario: wrong results accepted (after
// backtracking), honest workers slashed, compute overhead, detection latency, dispute rounds.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lease } from '../src/lib/protocol/leases.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import { spawnRelay, type RelayProcess } from '../relay/testing/relay-process.js';
import { behaviour, type Strategy } from './sim-behaviours.js';
import { JobFeeder, JOB_SHAPES } from './sim-jobs.js';
import { measure } from './sim-metrics.js';
import { SimWorker } from './sim-worker.js';

interface Scenario {
	name: string;
	strategy: Strategy;
	/** Share of the population that cheats. */
	share: number;
	/**
	 * Cheaters are new keys joining the warmed-up network (the default), or workers that earned
	 * their reputation honestly and then turn (`turncoat`).
	 */
	turncoat?: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
	{ name: 'always-lie', strategy: 'always-lie', share: 0.1 },
	{ name: 'lie-with-p-0.1', strategy: 'lie-sometimes', share: 0.1 },
	{ name: 'lie-on-large-tasks', strategy: 'lie-on-large', share: 0.1 },
	{ name: 'copy-answers', strategy: 'copy', share: 0.1 },
	{ name: 'cartel-5pct', strategy: 'cartel', share: 0.05 },
	{ name: 'silent-in-dispute', strategy: 'silent-in-dispute', share: 0.1 },
	{ name: 'many-keys', strategy: 'many-keys', share: 0.1 },
	{ name: 'turncoat-lie-with-p-0.1', strategy: 'lie-sometimes', share: 0.1, turncoat: true }
];

export interface SimOptions {
	workers: number;
	referees: number;
	/** Results per worker in the honest warm-up. */
	warmup: number;
	/** Results uploaded in each scenario's measured phase. */
	results: number;
	scenarios: readonly Scenario[];
	seed: number;
	log: (line: string) => void;
	/** Logs a few of the wrongly accepted tasks with who computed what. */
	explain: boolean;
	/** Extra time each worker takes per task (a device's compute time); 0: as fast as the twin. */
	taskMs?: number;
}

const STAKE_MICRO = 10_000_000;
/**
 * Each side's time to answer a round. 200 workers computing in one Node process on two cores
 * with the relay can go 10 s and more between claims (stepGapMsMax), so the rounds are longer
 * than that; in production they are DISPUTE_ROUND_MS (5 min).
 */
const DISPUTE_ROUND_MS = 30_000;
/** The end of a scenario: disputes still open are played out until quiet this long, at most DRAIN_MS_MAX. */
const DRAIN_QUIET_MS = 5_000;
const DRAIN_MS_MAX = 180_000;
const LIE_PROBABILITY = 0.1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often the run looks at its progress. */
const POLL_MS = 100;

function relayEnv(dataDir: string, operator: NodeSigner, seed: number): Record<string, string> {
	return {
		PORT: '0',
		DATA_DIR: dataDir,
		STATIC_DIR: '',
		DEMO_GRANT_MICRO: '0',
		TRUST_PROXY: '1',
		OPERATOR_PUBLIC_KEY: operator.publicKeyHex,
		SPOT_CHECK_SEED: `sim-${seed}`,
		LEASE_MS: '20000',
		DISPUTE_ROUND_MS: String(DISPUTE_ROUND_MS),
		// Simulated devices compute in no time, so their keys ask more often than a browser's do.
		RATE_KEY_REQUESTS_PER_MIN: '60000',
		NONCES_PER_KEY_MAX: '300000',
		// Copiers look for public results without their network's address: all of them on loopback.
		RATE_READS_PER_MIN: '600000'
	};
}

async function startRelay(dataDir: string, operator: NodeSigner, seed: number): Promise<RelayProcess> {
	// RELAY_NODE_ARGS lets a profiler ride along, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
	const relay = await spawnRelay(relayEnv(dataDir, operator, seed), { timeoutMs: 90_000, nodeArgs: (process.env.RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean) });
	if (!relay) throw new Error('the relay did not start');
	return relay;
}

async function expectOk(what: string, p: Promise<{ status: number; body: unknown }>): Promise<void> {
	const res = await p;
	if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Every worker: minted credits and a stake, so slashing is real; referees marked trusted. */
async function setUp(url: string, operator: NodeSigner, workers: readonly SimWorker[], requester: ApiClient | null): Promise<void> {
	const op = new ApiClient(url, operator);
	if (requester) await expectOk('mint for the requester', op.post('/mint', { to: requester.key, amountMicro: 1_000_000_000_000, ref: 'sim-requester' }));
	for (const w of workers) {
		await expectOk('mint', op.post('/mint', { to: w.key, amountMicro: 2 * STAKE_MICRO, ref: `sim-${w.key.slice(0, 40)}` }));
		await expectOk('stake', w.client.post('/stakes', { amountMicro: STAKE_MICRO, ref: `stake-${w.key.slice(0, 40)}` }));
		if (w.referee) await expectOk('trust', op.post('/trusted-keys', { key: w.key, trusted: true, note: 'simulated referee' }));
	}
}

/** Starts every worker's loop and waits until `done()` says so (the loops keep going: stop or drain them). */
async function run(workers: readonly SimWorker[], done: () => boolean): Promise<void> {
	await Promise.all(workers.map((w) => w.start()));
	while (!done()) await sleep(POLL_MS);
}

const stopAll = (workers: readonly SimWorker[]) => Promise.all(workers.map((w) => w.stop()));

/** Polls the disputes the workers were asked about until none is open, at most `waitMs`. */
async function disputesSettled(url: string, workers: readonly SimWorker[], waitMs: number): Promise<void> {
	const open = new Set(workers.flatMap((w) => [...w.disputesSeen]));
	const client = new ApiClient(url);
	const deadline = Date.now() + waitMs;
	while (open.size > 0 && Date.now() < deadline) {
		for (const id of [...open]) {
			const res = await client.get<{ state: string }>(`/disputes/${id}`);
			if (res.status !== 200 || res.body.state === 'settled') open.delete(id);
		}
		if (open.size > 0) await sleep(500);
	}
}

const revealed = (workers: readonly SimWorker[]) => workers.reduce((s, w) => s + w.tally.revealed, 0);

export async function simulate(opts: SimOptions): Promise<Record<string, unknown>[]> {
	const root = mkdtempSync(join(tmpdir(), 'mycelia-sim-'));
	const operator = new NodeSigner();
	const requesterSigner = new NodeSigner();
	const honest = behaviour('honest', { seed: 0, lieProbability: 0, largeTaskMicro: 0, priceOf: () => 0 });
	const priceOf = (l: Lease) => JOB_SHAPES.priceOf(l);
	// Every worker on its own public /24, as volunteers at home would be (private addresses put no
	// network rule in force).
	const network = (i: number) => `11.${(i >> 8) & 255}.${i & 255}.7`;
	// The warmed-up population: everyone but the largest cheater share, plus the referees.
	const cheatersMax = Math.max(...opts.scenarios.map((sc) => Math.round(sc.share * opts.workers)));
	const warmCount = opts.workers - cheatersMax;
	const warmSigners = Array.from({ length: warmCount + opts.referees }, () => new NodeSigner());
	const refereeAt = (i: number) => i >= warmCount;
	const reports: Record<string, unknown>[] = [];
	try {
		const warmDir = join(root, 'warm');
		let relay = await startRelay(warmDir, operator, opts.seed);
		const started = Date.now();
		const workerOptions = { taskMs: opts.taskMs ?? 0, log: opts.log };
		let workers = warmSigners.map((s, i) => new SimWorker(relay.url, network(i), honest, refereeAt(i), s, workerOptions));
		let requester = new ApiClient(relay.url, requesterSigner);
		await setUp(relay.url, operator, workers, requester);
		let feeder = new JobFeeder(requester, opts.seed);
		const warmTarget = warmCount * opts.warmup;
		const progress = setInterval(() => opts.log(`warm-up: ${revealed(workers)} / ${warmTarget} results`), 15_000);
		const feeding = feeder.run(() => revealed(workers) >= warmTarget);
		await run(workers, () => revealed(workers) >= warmTarget);
		await stopAll(workers);
		clearInterval(progress);
		await feeding;
		await relay.stop();
		opts.log(`warm-up: ${warmCount} workers and ${opts.referees} referees, ${revealed(workers)} results in ${Math.round((Date.now() - started) / 1000)} s`);

		for (const [n, scenario] of opts.scenarios.entries()) {
			const dir = join(root, scenario.name);
			cpSync(warmDir, dir, { recursive: true });
			relay = await startRelay(dir, operator, opts.seed);
			const since = Date.now();
			const cheaters = Math.round(scenario.share * opts.workers);
			const strategyOf = (i: number): Strategy => (i < cheaters ? scenario.strategy : 'honest');
			// `position` decides the strategy (cheaters first); `id` the worker's own network.
			const make = (position: number, id: number, signer: NodeSigner, referee: boolean) => {
				const b = behaviour(referee ? 'honest' : strategyOf(position), { seed: opts.seed * 1000 + n * 100_000 + id, lieProbability: LIE_PROBABILITY, largeTaskMicro: JOB_SHAPES.largeTaskMicro, priceOf });
				return new SimWorker(relay.url, network(id), b, referee, signer, workerOptions);
			};
			// Cheaters first (fresh keys joining, or the first warmed workers turning), then the
			// warmed-up honest workers, then fresh honest keys up to the population size.
			const warm = warmSigners.map((s, i) => ({ s, i }));
			const fresh = (count: number, from: number) => Array.from({ length: count }, (_, k) => ({ s: new NodeSigner(), i: from + k }));
			const people = scenario.turncoat
				? [...warm.slice(0, warmCount), ...fresh(opts.workers - warmCount, warmSigners.length)]
				: [...fresh(cheaters, warmSigners.length), ...warm.slice(0, warmCount), ...fresh(opts.workers - warmCount - cheaters, warmSigners.length + cheaters)];
			workers = [...people.map((p, k) => make(k, p.i, p.s, false)), ...warm.slice(warmCount).map((p) => make(-1, p.i, p.s, true))];
			requester = new ApiClient(relay.url, requesterSigner);
			await setUp(relay.url, operator, workers.filter((w) => !warmSigners.some((s) => s.publicKeyHex === w.key)), null);
			feeder = new JobFeeder(requester, opts.seed + n + 1);
			await feeder.cancelRunning();
			const target = opts.results;
			const progressTimer = setInterval(() => opts.log(`${scenario.name}: ${revealed(workers)} / ${target} results`), 15_000);
			const scenarioFeeding = feeder.run(() => revealed(workers) >= target);
			await run(workers, () => revealed(workers) >= target);
			clearInterval(progressTimer);
			await scenarioFeeding;
			// Let the disputes still open play out: no new tasks, but every side keeps answering and
			// the referees keep refereeing until nobody has had a question for a while.
			for (const w of workers) w.drain();
			const drainStarted = Date.now();
			const quiet = () => workers.every((w) => Date.now() - w.lastDisputeAt > DRAIN_QUIET_MS) && Date.now() - drainStarted > DRAIN_QUIET_MS;
			while (!quiet() && Date.now() - drainStarted < DRAIN_MS_MAX) await sleep(POLL_MS);
			await stopAll(workers);
			// Lapsed rounds (silent sides) settle on the relay's timer: wait for every dispute a worker
			// was asked about to settle, at most a round and a margin (a fixed wait of that long cost
			// every scenario half a minute, though most end with nothing open).
			await disputesSettled(relay.url, workers, DISPUTE_ROUND_MS + 2_000);
			await relay.stop();
			const honestKeys = new Set(workers.filter((w) => w.behaviour.strategy === 'honest').flatMap((w) => w.keys));
			const cheaterKeys = new Set(workers.filter((w) => w.behaviour.strategy !== 'honest').flatMap((w) => w.keys));
			const metrics = await measure(dir, since, honestKeys, cheaterKeys, opts.explain ? opts.log : null);
			const cheating = workers.filter((w) => w.behaviour.strategy !== 'honest');
			const tally = (k: keyof SimWorker['tally'], ws: readonly SimWorker[]) => ws.reduce((sum, w) => sum + w.tally[k], 0);
			const report = {
				sim: 'cheaters',
				scenario: scenario.name,
				workers: opts.workers,
				referees: opts.referees,
				cheaters,
				cheatersJoin: scenario.turncoat ? 'warmed up honestly, then turned' : 'new keys joining the warmed-up network',
				...metrics,
				copiesAccepted: tally('copiesAccepted', workers),
				copiesRefused: tally('copiesRefused', workers),
				withheld: tally('withheld', workers),
				revealsRefused: tally('refused', workers),
				refereeSteps: tally('refereeSteps', workers),
				cheatersShutOut: cheating.filter((w) => w.tally.shutOut > 0).length,
				stepFailures: tally('failures', workers),
				stepGapMsMax: Math.max(0, ...workers.map((w) => w.tally.stepGapMsMax)),
				seconds: Math.round((Date.now() - since) / 1000)
			};
			reports.push(report);
			console.log(JSON.stringify(report));
			if (!process.env.SIM_KEEP_DATA) rmSync(dir, { recursive: true, force: true });
		}
		return reports;
	} finally {
		// SIM_KEEP_DATA=1 keeps every scenario's data folder for a look afterwards.
		if (process.env.SIM_KEEP_DATA) opts.log(`data kept in ${root}`);
		else rmSync(root, { recursive: true, force: true });
	}
}

function flag(args: string[], name: string): string | undefined {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<void> {
	const quick = args.includes('--quick');
	const wanted = flag(args, 'scenario')?.split(',');
	const scenarios = wanted ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
	if (wanted && scenarios.length !== wanted.length) throw new Error(`unknown scenario in ${wanted.join(',')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
	await simulate({
		workers: Number(flag(args, 'workers') ?? (quick ? 40 : 200)),
		referees: 2,
		warmup: Number(flag(args, 'warmup') ?? (quick ? 30 : 80)),
		results: Number(flag(args, 'results') ?? (quick ? 2_000 : 30_000)),
		scenarios,
		seed: Number(flag(args, 'seed') ?? 1),
		log: (line) => console.error(`[sim] ${line}`),
		explain: args.includes('--explain'),
		taskMs: Number(flag(args, 'task-ms') ?? 0)
	});
}

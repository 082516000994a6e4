// `npm run soak -- fuzz --cases N [--postgres URL] [--seed S] [--concurrency C]`: the fuzz soak.
// Runs the real relay process twice on fresh storage with the same deterministic valid requests
// (fuzz-scenario.ts): once with only those, once with N generated cases between setup and tail
// (fuzz-cases.ts: every HTTP route, signed and unsigned, the result upload, event streams, PeerJS
// signalling, malformed HTTP). Prints a JSON line per progress step and a final line: cases,
// 5xx answers, relay crashes, rows and blob files the cases left (the second run's storage
// against the first's), 2xx answers to requests that must be refused, and relay RSS (after a full
// collection) idle, after a warm-up and after the cases. Exits non-zero when any target is missed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { spawnRelay, type RelayProcess } from '../../relay/testing/relay-process.js';
import { freshPostgresDatabase } from '../../relay/testing/test-relay.js';
import { caseArbitrary, type Case, type Plan } from './fuzz-cases.js';
import { blobFiles, differences, rowCounts, rssMb } from './fuzz-measure.js';
import { setUp, signerFor, tail, type Scenario } from './fuzz-scenario.js';
import { sendHttp, sendRaw, sendSse, type WireResult } from './fuzz-wire.js';

/** Targets at any N: none of these may happen, and the relay may grow by less than this. */
const RSS_GROWTH_MB_MAX = 50;
const EXAMPLES_MAX = 8;
/** Consecutive discarded variants after which a draw gives up (each template has plenty that are invalid). */
const DISCARDS_IN_A_ROW_MAX = 50;
/** Leases and dispute rounds outlast any run, so nothing lapses while the cases run (runs must stay under this). */
const LEASE_MS = 3_600_000;
const START_TIMEOUT_MS = 60_000;
/** Loaded into the relay process: SIGUSR2 runs a full garbage collection (memory is read after one). */
const GC_ON_SIGNAL = "data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())";
const SETTLE_MS = 1_000;
/**
 * Memory is compared from the end of a warm-up (a tenth of the cases, 500 to 5,000): by then the
 * relay has compiled its hot paths and sized its caches (the replay cache holds four minutes of
 * nonces) to the load, so what grows after it grows with the number of cases. The idle reading
 * is reported as well.
 */
const warmupCases = (cases: number) => Math.min(cases, Math.max(500, Math.min(5_000, Math.round(cases / 10))));

interface Args {
	cases: number;
	postgres: string | null;
	seed: string;
	concurrency: number;
	/** Also print each kind of break's answers (`--detail`): which status each mutation got. */
	detail: boolean;
}

function parseArgs(argv: string[]): Args {
	const value = (flag: string) => {
		const i = argv.indexOf(flag);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const cases = Number(value('--cases') ?? 1_000);
	if (!Number.isSafeInteger(cases) || cases < 1 || cases > 10_000_000) throw new Error('usage: npm run soak -- fuzz --cases N (1..10000000) [--postgres URL] [--seed S] [--concurrency C]');
	const concurrency = Number(value('--concurrency') ?? 8);
	if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency must be 1..64');
	return { cases, postgres: value('--postgres') ?? null, seed: value('--seed') ?? randomBytes(4).toString('hex'), concurrency, detail: argv.includes('--detail') };
}

interface Tally {
	cases: number;
	discarded: number;
	'5xx': number;
	crashes: number;
	acceptedRefusals: number;
	resets: number;
	timeouts: number;
	rateLimited: number;
	statuses: Record<string, number>;
	routes: Record<string, number>;
	/** route · mutation → status → count (printed with --detail). */
	answers: Record<string, Record<string, number>>;
	examples: { '5xx': unknown[]; acceptedRefusals: unknown[]; timeouts: unknown[] };
}

const newTally = (): Tally => ({ cases: 0, discarded: 0, '5xx': 0, crashes: 0, acceptedRefusals: 0, resets: 0, timeouts: 0, rateLimited: 0, statuses: {}, routes: {}, answers: {}, examples: { '5xx': [], acceptedRefusals: [], timeouts: [] } });

function describeCase(c: Exclude<Case, { kind: 'discard' }>, r: WireResult): unknown {
	const where = c.kind === 'http' ? `${c.req.method} ${c.req.path.slice(0, 160)}` : c.kind === 'sse' ? `GET ${c.path.slice(0, 160)}` : c.route;
	return { route: c.route, mutation: c.mutation, where, status: r.status, error: r.error, body: r.body.slice(0, 200) };
}

function record(t: Tally, c: Exclude<Case, { kind: 'discard' }>, r: WireResult): void {
	t.cases++;
	t.routes[c.route] = (t.routes[c.route] ?? 0) + 1;
	const cls = r.status === null ? (r.error ?? 'none') : `${Math.floor(r.status / 100)}xx`;
	t.statuses[cls] = (t.statuses[cls] ?? 0) + 1;
	const what = `${c.route} · ${c.kind === 'raw' && c.route === 'raw http' ? 'raw' : c.mutation}`;
	const byStatus = (t.answers[what] ??= {});
	byStatus[String(r.status ?? r.error ?? 'none')] = (byStatus[String(r.status ?? r.error ?? 'none')] ?? 0) + 1;
	const keep = (list: unknown[]) => list.length < EXAMPLES_MAX && list.push(describeCase(c, r));
	if (r.status !== null && r.status >= 500) {
		t['5xx']++;
		keep(t.examples['5xx']);
	}
	if (r.status === 429) t.rateLimited++;
	if (r.error === 'reset') t.resets++;
	if (r.error === 'timeout') {
		t.timeouts++;
		keep(t.examples.timeouts);
	}
	if (c.kind === 'http' && c.mustRefuse && r.status !== null && r.status < 300) {
		t.acceptedRefusals++;
		keep(t.examples.acceptedRefusals);
	}
}

function send(url: string, c: Exclude<Case, { kind: 'discard' }>): Promise<WireResult> {
	if (c.kind === 'http') return sendHttp(url, c.req);
	if (c.kind === 'sse') return sendSse(url, c.path, c.holdMs);
	return sendRaw(url, c.bytes, c.after, c.holdMs);
}

/** The relay under test, restarted on the same storage when it dies (each death is a crash). */
class Supervised {
	relay!: RelayProcess;
	crashes = 0;
	/** How the relay died each time, for the report. */
	readonly deaths: unknown[] = [];
	private stopping = false;
	private restarting: Promise<void> | null = null;

	constructor(private readonly env: Record<string, string>) {}

	async start(): Promise<void> {
		const relay = await spawnRelay(this.env, { timeoutMs: START_TIMEOUT_MS, nodeArgs: ['--expose-gc', '--import', GC_ON_SIGNAL] });
		if (!relay) throw new Error('fuzz: the relay did not start');
		this.relay = relay;
		relay.child.once('exit', (code, signal) => {
			if (this.stopping) return;
			this.crashes++;
			if (this.deaths.length < EXAMPLES_MAX) this.deaths.push({ code, signal, stderr: relay.stderrTail().slice(-1_500) });
			this.restarting = this.start();
		});
	}

	/** The relay's URL, once any restart has finished. */
	async url(): Promise<string> {
		if (this.restarting) await this.restarting;
		return this.relay.url;
	}

	/**
	 * Resident memory once what is in flight has ended (streams, sockets) and a full collection
	 * ran: garbage waiting for the next collection swings RSS by tens of MB, retained memory does not.
	 */
	async settledRssMb(): Promise<number | null> {
		if (this.restarting) await this.restarting;
		await new Promise((r) => setTimeout(r, SETTLE_MS));
		this.relay.child.kill('SIGUSR2');
		await new Promise((r) => setTimeout(r, SETTLE_MS));
		return rssMb(this.relay.child.pid);
	}

	async stop(): Promise<void> {
		if (this.restarting) await this.restarting;
		this.stopping = true;
		await this.relay.stop('SIGTERM');
	}
}

/** Draws and sends cases; `draw` numbers them, so case k of a seed is the same in every run. */
class CaseRunner {
	private draw = 0;
	private readonly arb: fc.Arbitrary<Plan>;
	private readonly seedNumber: number;
	private readonly step: number;

	constructor(
		private readonly relay: Supervised,
		scenario: Scenario,
		private readonly args: Args,
		private readonly t: Tally,
		private readonly startedAt: number
	) {
		this.arb = caseArbitrary(scenario);
		this.seedNumber = createHash('sha256').update(args.seed).digest().readUInt32BE(0);
		this.step = Math.max(1_000, Math.round(args.cases / 20));
	}

	private next(): Plan {
		const plan = fc.sample(this.arb, { numRuns: 1, seed: (this.seedNumber + this.draw) | 0 })[0];
		this.draw++;
		if (!plan) throw new Error('fuzz: fast-check drew nothing');
		return plan;
	}

	/** Sends cases until `until` have been sent in all, `concurrency` at a time. */
	async run(until: number): Promise<void> {
		const { relay, t } = this;
		let claimed = t.cases;
		const worker = async () => {
			while (claimed < until) {
				claimed++;
				let c: Case = { kind: 'discard', route: '', mutation: '' };
				for (let tries = 0; c.kind === 'discard' && tries < DISCARDS_IN_A_ROW_MAX; tries++) {
					c = this.next()({ url: await relay.url(), now: Date.now() });
					if (c.kind === 'discard') t.discarded++;
				}
				if (c.kind === 'discard') continue;
				record(t, c, await send(await relay.url(), c));
				if (t.cases % this.step === 0) {
					const seconds = (Date.now() - this.startedAt) / 1000;
					console.log(JSON.stringify({ fuzz: 'progress', cases: t.cases, of: this.args.cases, '5xx': t['5xx'], crashes: relay.crashes, acceptedRefusals: t.acceptedRefusals, timeouts: t.timeouts, rateLimited: t.rateLimited, rssMb: rssMb(relay.relay.child.pid), casesPerSecond: Math.round(t.cases / seconds) }));
				}
			}
		};
		await Promise.all(Array.from({ length: this.args.concurrency }, worker));
	}
}

interface RunResult {
	log: string[];
	rows: Record<string, number>;
	files: number;
	rssIdleMb: number | null;
	rssBeforeMb: number | null;
	rssAfterMb: number | null;
	crashes: number;
	deaths: unknown[];
	caseSeconds: number;
}

/** One run on fresh storage: setup, `cases` cases (none for the baseline), tail, then the storage counted. */
async function run(args: Args, cases: number, t: Tally): Promise<RunResult> {
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-fuzz-'));
	const scratch = args.postgres ? await freshPostgresDatabase(args.postgres) : null;
	const env: Record<string, string> = {
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		// No PWA: the API, the event streams and signalling are what is fuzzed.
		STATIC_DIR: join(dataDir, 'no-pwa'),
		TRUST_PROXY: '1',
		LEASE_MS: String(LEASE_MS),
		DISPUTE_ROUND_MS: String(LEASE_MS),
		OPERATOR_PUBLIC_KEY: signerFor(args.seed, 'operator').publicKeyHex,
		SPOT_CHECK_SEED: args.seed,
		...(scratch ? { DATABASE_URL: scratch.url } : {})
	};
	const relay = new Supervised(env);
	try {
		await relay.start();
		const scenario = await setUp(await relay.url(), args.seed);
		const rssIdleMb = await relay.settledRssMb();
		let rssBeforeMb = rssIdleMb;
		const started = Date.now();
		if (cases > 0) {
			const runner = new CaseRunner(relay, scenario, { ...args, cases }, t, started);
			await runner.run(warmupCases(cases));
			rssBeforeMb = await relay.settledRssMb();
			await runner.run(cases);
		}
		const caseSeconds = (Date.now() - started) / 1000;
		const rssAfterMb = await relay.settledRssMb();
		const tailLog = await tail(await relay.url(), scenario);
		await relay.stop();
		return { log: [...scenario.log, ...tailLog], rows: await rowCounts({ dataDir, databaseUrl: scratch?.url ?? null }), files: blobFiles(dataDir), rssIdleMb, rssBeforeMb, rssAfterMb, crashes: relay.crashes, deaths: relay.deaths, caseSeconds };
	} finally {
		await relay.stop().catch(() => {});
		await scratch?.drop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

export async function main(argv: string[]): Promise<void> {
	const args = parseArgs(argv);
	const startedAt = Date.now();
	const baseline = await run(args, 0, newTally());
	const t = newTally();
	const fuzzed = await run(args, args.cases, t);
	const rowDifferences = differences(baseline.rows, fuzzed.rows);
	const rowsWritten = Object.values(rowDifferences).reduce((n, [a, b]) => n + Math.abs(b - a), 0);
	const validDiverged = baseline.log.filter((line, i) => fuzzed.log[i] !== line).length + Math.abs(baseline.log.length - fuzzed.log.length);
	const rssGrowthMb = fuzzed.rssBeforeMb !== null && fuzzed.rssAfterMb !== null ? Math.round((fuzzed.rssAfterMb - fuzzed.rssBeforeMb) * 10) / 10 : null;
	const summary = {
		soak: 'fuzz',
		storage: args.postgres ? 'postgres' : 'pglite',
		seed: args.seed,
		cases: t.cases,
		discarded: t.discarded,
		'5xx': t['5xx'],
		crashes: fuzzed.crashes,
		rowsWrittenByRefused: rowsWritten,
		filesWrittenByRefused: fuzzed.files - baseline.files,
		acceptedRefusals: t.acceptedRefusals,
		rssIdleMb: fuzzed.rssIdleMb,
		warmupCases: warmupCases(args.cases),
		rssBeforeMb: fuzzed.rssBeforeMb,
		rssAfterMb: fuzzed.rssAfterMb,
		rssGrowthMb,
		validDiverged,
		timeouts: t.timeouts,
		resets: t.resets,
		rateLimited: t.rateLimited,
		leaseWindowExceeded: fuzzed.caseSeconds * 1000 > LEASE_MS,
		casesPerSecond: Math.round(t.cases / Math.max(0.001, fuzzed.caseSeconds)),
		seconds: Math.round((Date.now() - startedAt) / 1000),
		statuses: t.statuses,
		routes: t.routes,
		...(rowsWritten > 0 ? { rowDifferences } : {}),
		...(validDiverged > 0 ? { baselineLog: baseline.log, fuzzedLog: fuzzed.log } : {}),
		...(args.detail ? { answers: t.answers } : {}),
		examples: t.examples,
		...(fuzzed.deaths.length > 0 ? { deaths: fuzzed.deaths } : {})
	};
	console.log(JSON.stringify(summary));
	const missed =
		t['5xx'] > 0 || fuzzed.crashes > 0 || rowsWritten > 0 || summary.filesWrittenByRefused !== 0 || t.acceptedRefusals > 0 || validDiverged > 0 || rssGrowthMb === null || rssGrowthMb >= RSS_GROWTH_MB_MAX || summary.leaseWindowExceeded;
	if (missed) process.exitCode = 1;
}

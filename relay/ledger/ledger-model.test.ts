/**
 * Model-based property tests of the ledger API: random sequences of mints, stakes, unstakes,
 * releases, slashes, redemptions, job escrows, payouts, refunds, replays, conflicting reuses of
 * ids and refused amounts run against the real functions on a real database (in-memory PGlite,
 * or a scratch Postgres database when TEST_DATABASE_URL is set), and against a simple in-memory
 * model (testing-ledger-model.ts). After every step the database must hold exactly what the
 * model holds and the ledger's invariant queries must find nothing. A second property starts
 * batches of calls concurrently, in an order fast-check's scheduler picks, and checks the books
 * against the model applied in commit order.
 *
 * LEDGER_MODEL_RUNS=n sets the number of sequences (both properties together). A failure prints
 * fast-check's seed and path (and for the sequential property the commands' replayPath): run the
 * failing test alone (-t) with LEDGER_MODEL_SEED, LEDGER_MODEL_PATH and LEDGER_MODEL_REPLAY_PATH
 * set to them to replay it.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUORUM } from '../../src/lib/protocol/limits.js';
import type { Db, Sql } from '../store/db.js';
import { openDb } from '../store/open-db.js';
import { stakeAccount, transferIds, unstakingAccount } from './account-ids.js';
import { checkInvariants } from './invariants.js';
import {
	asReplayed,
	dbSnapshot,
	describeIntent,
	describeStep,
	fundingArbitrary,
	emptyState,
	execute,
	intentArbitrary,
	modelSnapshot,
	nowFor,
	outcomeOf,
	predict,
	resetLedger,
	resolve,
	taskIdOf,
	type Intent,
	type LedgerState,
	type Op,
	type Outcome,
	type Step
} from './testing-ledger-model.js';

const adminUrl = process.env.TEST_DATABASE_URL || null;
const backend = adminUrl ? 'postgres' : 'pglite';
const runsOverride = process.env.LEDGER_MODEL_RUNS ? Number(process.env.LEDGER_MODEL_RUNS) : null;
if (runsOverride !== null && !(Number.isSafeInteger(runsOverride) && runsOverride >= 2)) throw new Error('LEDGER_MODEL_RUNS must be an integer ≥ 2');
/** PGlite: at least 10,000 sequences per run. Postgres, with real network round trips: fewer. */
const TOTAL_RUNS = runsOverride ?? (adminUrl ? 500 : 10_000);
const CONCURRENT_RUNS = Math.round(TOTAL_RUNS * (adminUrl ? 0.4 : 0.2));
const SEQUENTIAL_RUNS = TOTAL_RUNS - CONCURRENT_RUNS;
const MAX_COMMANDS = 8;
/** A guard against a hang, far above the few minutes a run takes. */
const TIMEOUT_MS = 15 * 60_000;
const replay = process.env.LEDGER_MODEL_SEED ? { seed: Number(process.env.LEDGER_MODEL_SEED), path: process.env.LEDGER_MODEL_PATH, endOnFailure: true } : {};
const replayPath = process.env.LEDGER_MODEL_REPLAY_PATH;
/** LEDGER_MODEL_RECHECK=1 runs the invariant queries even on states already verified. */
const recheck = process.env.LEDGER_MODEL_RECHECK === '1';

let db: Db;
let dropScratch: (() => Promise<void>) | null = null;

async function adminQuery(url: string, sql: string): Promise<void> {
	const admin = postgres(url, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(sql);
	} finally {
		await admin.end();
	}
}

beforeAll(async () => {
	if (!adminUrl) {
		db = await openDb({ databaseUrl: null, dataDir: null });
		return;
	}
	const name = `mycelia_test_${randomBytes(6).toString('hex')}`;
	await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
	dropScratch = () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	db = await openDb({ databaseUrl: url.toString(), dataDir: null });
});

afterAll(async () => {
	await db?.close();
	await dropScratch?.();
});

// ---------------------------------------------------------------------------------------------
// Checking one state

interface Stats {
	sequences: number;
	commands: number;
	outcomes: Map<string, number>;
	invariantRuns: number;
	knownStates: number;
	reordered: number;
	/** Concurrent batches: transactions retried after serialization failures, and the most open at once. */
	retries: number;
	overlapped: number;
	/** Milliseconds spent in the calls' transactions, reading snapshots, running invariants, resetting. */
	ms: { calls: number; snapshots: number; invariants: number; resets: number };
}
const newStats = (): Stats => ({
	sequences: 0,
	commands: 0,
	outcomes: new Map(),
	invariantRuns: 0,
	knownStates: 0,
	reordered: 0,
	retries: 0,
	overlapped: 0,
	ms: { calls: 0, snapshots: 0, invariants: 0, resets: 0 }
});

async function timed<T>(stats: Stats, what: keyof Stats['ms'], fn: () => Promise<T>): Promise<T> {
	const started = performance.now();
	try {
		return await fn();
	} finally {
		stats.ms[what] += performance.now() - started;
	}
}

/**
 * States whose invariants were verified. The invariant queries read nothing outside the
 * snapshot (accounts, transfers, unstakes, redemptions, jobs, tasks, reputations), so a state
 * with the same snapshot holds them too: a refused call or a replay leaves the last one.
 */
const verified = new Set<string>();

async function checkState(model: LedgerState, stats: Stats, context: () => string): Promise<void> {
	const snapshot = await timed(stats, 'snapshots', () => dbSnapshot(db));
	const expected = modelSnapshot(model);
	const key = JSON.stringify(snapshot);
	if (key !== JSON.stringify(expected)) expect(snapshot, `database differs from the model after ${context()}`).toEqual(expected);
	if (!recheck && verified.has(key)) {
		stats.knownStates++;
		return;
	}
	stats.invariantRuns++;
	expect(await timed(stats, 'invariants', () => checkInvariants(db)), `invariants after ${context()}`).toEqual([]);
	if (verified.size > 200_000) verified.clear();
	verified.add(key);
}

function count(stats: Stats, step: Step, outcome: Outcome, concurrent = false): void {
	stats.commands++;
	const name = `${concurrent ? '(concurrent) ' : ''}${step.replayOf ? 'replay ' : step.conflict ? 'conflicting ' : ''}${step.op.kind} → ${outcome.ok ? 'ok' : outcome.error}`;
	stats.outcomes.set(name, (stats.outcomes.get(name) ?? 0) + 1);
}

/** The model's own promises about a step: replays change nothing, conflicts are refused. */
function checkModelStep(step: Step, before: LedgerState, after: LedgerState, expected: Outcome): void {
	if (step.replayOf) {
		expect(expected, `model: a replay echoes the first result (${describeStep(step)})`).toEqual({ ok: true, result: asReplayed(step.replayOf.result) });
		expect(modelSnapshot(after)).toEqual(modelSnapshot(before));
	}
	if (step.conflict) expect(expected.ok ? 'ok' : expected.error, `model: ${describeStep(step)}`).toMatch(/^(TransferConflict|RefConflict)$/);
	if (!expected.ok) expect(after).toBe(before);
}

/** One step on its own: the real call in its transaction, the model, then the checks. */
async function runStep(before: LedgerState, step: Step, stats: Stats, history: string[]): Promise<LedgerState> {
	const { state: after, outcome: expected } = predict(before, step.op);
	checkModelStep(step, before, after, expected);
	const actual = await timed(stats, 'calls', () => outcomeOf(() => db.transaction((tx) => execute(tx, step.op, nowFor(before, step.op)))));
	history.push(describeStep(step));
	count(stats, step, actual);
	if (!isDeepStrictEqual(actual, expected)) expect(actual, `outcome of ${describeStep(step)}`).toEqual(expected);
	if (step.op.kind === 'slash' && actual.ok && 'taken' in actual.result) {
		const { key, taskId, want } = step.op;
		const first = !before.transfers.has(transferIds.slash(taskId, key, 'stake')) && !before.transfers.has(transferIds.slash(taskId, key, 'unstaking'));
		// Whatever it asks for, a first slash takes at most what the key has at stake or unstaking.
		const held = (before.accounts.get(stakeAccount(key))?.balance ?? 0) + (before.accounts.get(unstakingAccount(key))?.balance ?? 0);
		if (first) expect(actual.result.taken).toBe(Math.min(want, held));
	}
	await checkState(after, stats, () => `${history.length} step(s):\n  ${history.join('\n  ')}`);
	return after;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function report(label: string, stats: Stats, ms: number): void {
	const outcomes = [...stats.outcomes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `    ${k}: ${n}`);
	console.log(
		`${label} on ${backend}: ${stats.sequences} sequences, ${stats.commands} commands in ${(ms / 1000).toFixed(1)} s; ` +
			`invariant queries run on ${stats.invariantRuns} new states, ${stats.knownStates} steps reached an already verified state` +
			(stats.overlapped > 0 ? `; ${stats.overlapped} batches had transactions open at once, ${stats.retries} retried transactions` : '') +
			(stats.overlapped > 0 ? `; ${stats.reordered} batches explained by another serial order than the observed commit order` : '') +
			`; time in calls ${sec(stats.ms.calls)}, snapshots ${sec(stats.ms.snapshots)}, invariants ${sec(stats.ms.invariants)}, resets ${sec(stats.ms.resets)}` +
			`\n${outcomes.join('\n')}`
	);
}

// ---------------------------------------------------------------------------------------------
// Sequential: fc.commands against the model

interface Box {
	state: LedgerState;
	stats: Stats;
	history: string[];
}

class LedgerCommand implements fc.AsyncCommand<Box, null> {
	private label: string | null = null;
	constructor(readonly intent: Intent) {}
	check(m: Readonly<Box>): boolean {
		return resolve(m.state, this.intent) !== null;
	}
	async run(m: Box): Promise<void> {
		const step = resolve(m.state, this.intent);
		if (!step) throw new Error('command ran without its precondition');
		this.label = describeStep(step);
		m.state = await runStep(m.state, step, m.stats, m.history);
	}
	toString(): string {
		return this.label ?? describeIntent(this.intent);
	}
}

// ---------------------------------------------------------------------------------------------
// Concurrent: batches started in the scheduler's order

/** Batches may not pay a task more than QUORUM workers in all, whatever order they commit in. */
function withinQuorum(state: LedgerState, batch: readonly Step[], op: Op): boolean {
	if (op.kind !== 'pay') return true;
	const taskId = taskIdOf(op.jobId, op.idx);
	const workers = new Set<string>([op.worker]);
	for (const t of state.transfers.values()) if (t.reason === 'payout' && t.taskId === taskId) workers.add(t.credit.slice('user:'.length));
	for (const s of batch) if (s.op.kind === 'pay' && taskIdOf(s.op.jobId, s.op.idx) === taskId) workers.add(s.op.worker);
	return workers.size <= QUORUM;
}

/** Each statement waits for the scheduler: on Postgres the batch's transactions interleave. */
function scheduledSql(tx: Sql, s: fc.Scheduler, label: string): Sql {
	return {
		query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]> {
			return s.schedule(Promise.resolve(), `${label}: ${text.trim().split(/\s+/).slice(0, 3).join(' ')}`).then(() => tx.query<Row>(text, params));
		}
	};
}

function* permutations(n: number): Generator<number[]> {
	const a = [...Array(n).keys()];
	const c = new Array<number>(n).fill(0);
	yield a.slice();
	for (let i = 1; i < n; ) {
		if ((c[i] ?? 0) < i) {
			const j = i % 2 === 0 ? 0 : (c[i] ?? 0);
			[a[i], a[j]] = [a[j] as number, a[i] as number];
			yield a.slice();
			c[i] = (c[i] ?? 0) + 1;
			i = 1;
		} else {
			c[i] = 0;
			i++;
		}
	}
}

/** The model applied in `order`, if every call's outcome and the final books match. */
function serialFit(start: LedgerState, steps: readonly Step[], outcomes: readonly Outcome[], order: readonly number[], finalKey: string): LedgerState | null {
	let state = start;
	for (const i of order) {
		const step = steps[i] as Step;
		const p = predict(state, step.op);
		if (!isDeepStrictEqual(p.outcome, outcomes[i])) return null;
		state = p.state;
	}
	return JSON.stringify(modelSnapshot(state)) === finalKey ? state : null;
}

async function runBatch(start: LedgerState, intents: readonly Intent[], s: fc.Scheduler, stats: Stats, history: string[]): Promise<void> {
	const steps: Step[] = [];
	for (const intent of intents) {
		const step = resolve(start, intent);
		if (step && withinQuorum(start, steps, step.op)) steps.push(step);
	}
	if (steps.length === 0) return;
	const now = start.now;
	const order: number[] = [];
	const outcomes: Outcome[] = [];
	let open = 0;
	let mostOpen = 0;
	const runs = steps.map((step, i) =>
		s
			.schedule(Promise.resolve(), `start #${i} ${describeStep(step)}`)
			.then(() => {
				let attempts = 0;
				return outcomeOf(() =>
					db.transaction((tx) => {
						if (attempts++ > 0) stats.retries++;
						mostOpen = Math.max(mostOpen, ++open);
						const done = execute(db.kind === 'postgres' ? scheduledSql(tx, s, `#${i}`) : tx, step.op, now);
						// Open until the statements are done (the commit or rollback follows).
						return done.finally(() => open--);
					})
				);
			})
			.then((outcome) => {
				// Recorded when the transaction has committed (or rolled back): commit order.
				outcomes[i] = outcome;
				order.push(i);
				count(stats, step, outcome, true);
			})
	);
	// Every transaction ends before anything is judged (the next run empties the tables).
	const settled = await timed(stats, 'calls', () => s.waitFor(Promise.allSettled(runs)));
	for (const r of settled) if (r.status === 'rejected') throw r.reason;
	if (mostOpen > 1) stats.overlapped++;
	const final = await dbSnapshot(db);
	const finalKey = JSON.stringify(final);
	let end = serialFit(start, steps, outcomes, order, finalKey);
	if (!end && db.kind === 'postgres') {
		// Serializable means some serial order, not necessarily the order commits were acknowledged
		// to this client (two commits can cross on their way back, and a transaction that only read
		// what another wrote may serialize before it): any order that explains everything passes.
		for (const p of permutations(steps.length)) {
			end = serialFit(start, steps, outcomes, p, finalKey);
			if (end) {
				stats.reordered++;
				break;
			}
		}
	}
	const described = () => `${history.join('\n  ')}\n  then concurrently (commit order ${order.join(', ')}):\n  ${steps.map((st, i) => `#${i} ${describeStep(st)}`).join('\n  ')}`;
	if (!end) {
		// Show the first difference in the observed order.
		let state = start;
		for (const i of order) {
			const step = steps[i] as Step;
			const p = predict(state, step.op);
			expect(outcomes[i], `outcome of #${i} ${describeStep(step)} in commit order after\n  ${described()}`).toEqual(p.outcome);
			state = p.state;
		}
		expect(final, `database differs from the model after\n  ${described()}`).toEqual(modelSnapshot(state));
		throw new Error('unreachable');
	}
	await checkState(end, stats, described);
}

// ---------------------------------------------------------------------------------------------

describe(`ledger model (${backend})`, () => {
	it(`keeps the model's books and the invariants through ${SEQUENTIAL_RUNS} random sequences of up to ${MAX_COMMANDS} calls on ${backend}`, async () => {
		const stats = newStats();
		const started = Date.now();
		const commands = fc.commands([intentArbitrary({ concurrent: false }).map((i) => new LedgerCommand(i))], { maxCommands: MAX_COMMANDS, ...(replayPath ? { replayPath } : {}) });
		await fc.assert(
			fc.asyncProperty(fundingArbitrary, commands, async (funding, cmds) => {
				await timed(stats, 'resets', () => resetLedger(db));
				stats.sequences++;
				// The opening grants (and stakes) are calls like any other, checked the same way.
				await fc.asyncModelRun(() => ({ model: { state: emptyState(), stats, history: [] }, real: null }), [...funding.map((f) => new LedgerCommand(f)), ...cmds]);
			}),
			{ numRuns: SEQUENTIAL_RUNS, ...replay }
		);
		report('sequential', stats, Date.now() - started);
	}, TIMEOUT_MS);

	it(`keeps them through ${CONCURRENT_RUNS} batches of concurrent calls in scheduler-chosen orders on ${backend}`, async () => {
		const stats = newStats();
		const started = Date.now();
		const setupIntent = intentArbitrary({ concurrent: false });
		const batchIntent = intentArbitrary({ concurrent: true });
		// Some batches repeat a call: the same request arriving twice at once.
		const batch = fc
			.tuple(fc.array(batchIntent, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 2 }))
			.map(([intents, dups]) => [...intents, ...dups.map((d) => intents[d % intents.length] as Intent)]);
		await fc.assert(
			fc.asyncProperty(fundingArbitrary, fc.array(setupIntent, { maxLength: 3 }), batch, fc.scheduler(), async (funding, setup, intents, s) => {
				await timed(stats, 'resets', () => resetLedger(db));
				stats.sequences++;
				const history: string[] = [];
				let state = emptyState();
				for (const intent of [...funding, ...setup]) {
					const step = resolve(state, intent);
					if (step) state = await runStep(state, step, stats, history);
				}
				await runBatch(state, intents, s, stats, history);
			}),
			{ numRuns: CONCURRENT_RUNS, ...replay }
		);
		report('concurrent', stats, Date.now() - started);
	}, TIMEOUT_MS);
});

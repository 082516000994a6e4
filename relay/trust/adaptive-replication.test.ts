// Adaptive replication and backtracking through the real HTTP API: who gets replicated, what a
// caught cheater loses, and that the requester still gets exactly the honest picture.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { KEY_LEASES_MAX } from '../../src/lib/protocol/limits.js';
import type { JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Holdings } from '../../src/lib/protocol/stakes.js';
import type { Trust } from '../../src/lib/protocol/trust.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { RevealQueue } from '../testing/reveal-queue.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { int } from '../store/db.js';
import { SLASH_PRICE_MULTIPLE, spotCheckDraw, spotCheckMicro, spotCheckProbability } from './policy.js';

const WARMUP = 2;
const SEED = 'adaptive-test-seed';
/** 8×8 tiles of 64 px: many cheap tasks. */
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 512, height: 512, maxIter: 40, tile: 64 as const };
const ROUNDS_MAX = 60;

let relay: Relay;
/** Named keys and job refs make the secret draws, and so the whole scenario, deterministic. */
const client = (name: string) => new ApiClient(relay.url, new NodeSigner(createHash('sha256').update(name).digest()));
/** Starter credits cannot be staked: the operator mints what a stake needs. */
const operator = new NodeSigner(createHash('sha256').update('operator').digest());

beforeAll(async () => {
	// New keys pair with each other at once here: these tests follow single keys through
	// warm-up; pairing new keys with proven ones has its own test (claim-pairing.test.ts). And
	// one key takes many tiles at once while others found none: lease windows and fair shares
	// have their own (lease-hoarding.test.ts).
	relay = await startTestRelay({ warmupStreak: WARMUP, spotCheckSeed: SEED, pairingWaitMs: 0, keyLeasesNew: KEY_LEASES_MAX, waitingMs: 0, operatorKey: operator.publicKeyHex });
});
afterAll(async () => {
	await relay?.close();
});

async function funded(name: string): Promise<ApiClient> {
	const c = client(name);
	expect((await c.post('/grants/demo', {})).status).toBe(201);
	return c;
}

async function createJob(requester: ApiClient, clientRef: string, spec = SPEC): Promise<JobSummary> {
	const est = await requester.post<{ estimateMicro: number }>('/jobs/estimate', { kernel: 'mandelbrot', spec });
	const res = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec, budgetMicro: est.body.estimateMicro, clientRef });
	expect(res.status).toBe(201);
	return res.body;
}

async function claim(worker: ApiClient, jobId: string, maxTasks = 16): Promise<Lease[]> {
	const res = await worker.post<{ leases: Lease[] }>('/leases', { maxTasks, kernels: ['mandelbrot'], backend: 'cpu' });
	expect(res.status).toBe(200);
	return res.body.leases.filter((l) => l.jobId === jobId);
}

const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const lie = (lease: Lease) => {
	const bytes = honest(lease);
	bytes[0] = (bytes[0] ?? 0) ^ 0x55;
	return bytes;
};
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function replication(taskIds: string[]): Promise<Map<string, { wanted: number; single: string | null }>> {
	const rows = await relay.ctx.db.query<{ id: string; replicas_wanted: unknown; single_worker: string | null }>(
		'SELECT id, replicas_wanted, single_worker FROM tasks WHERE id = ANY($1::text[])',
		[taskIds]
	);
	return new Map(rows.map((r) => [r.id, { wanted: int(r.replicas_wanted), single: r.single_worker }]));
}

async function trustOf(c: ApiClient): Promise<Trust> {
	return (await c.get<Trust>(`/accounts/${c.key}/trust`)).body;
}

describe('adaptive replication', () => {
	it('replicates every task of a new key, then spot-checks exactly the tasks the secret draw picks', async () => {
		const requester = await funded('requester-1');
		const job = await createJob(requester, 'adaptive-job-1');
		const [a, b] = [client('worker-a'), client('worker-b')];
		// New keys: every task they take needs a second key.
		const first = await claim(a, job.id, 4);
		for (const [, r] of await replication(first.map((l) => l.taskId))) expect(r).toEqual({ wanted: 2, single: null });
		const q = new RevealQueue();
		for (const l of first) await q.add(a, l, honest(l));
		for (const l of await claim(b, job.id, 4)) await q.add(b, l, honest(l));
		expect((await q.flush()).map((x) => x.res.status)).toEqual(Array(8).fill(200));
		const streak = (await trustOf(a)).validStreak;
		expect(streak).toBe(4);
		expect((await trustOf(a)).spotCheckProbability).toBe(spotCheckProbability(streak, WARMUP));

		// Warmed up: the claim decides per task with the same draw the TypeScript twin computes.
		const p = spotCheckMicro(spotCheckProbability(streak, WARMUP));
		const next = await claim(a, job.id, 16);
		expect(next.length).toBe(16);
		const decided = await replication(next.map((l) => l.taskId));
		let singles = 0;
		for (const l of next) {
			const single = spotCheckDraw(SEED, l.taskId, a.key) >= p;
			expect(decided.get(l.taskId)).toEqual(single ? { wanted: 1, single: a.key } : { wanted: 2, single: null });
			if (single) singles++;
		}
		expect(singles).toBeGreaterThan(0);
		expect(singles).toBeLessThan(16);
		// Single tasks reveal at once; spot checks wait for the second replica's commitment.
		for (const l of next) {
			const res = await a.submit<{ verdict: string }>(l, honest(l));
			if (decided.get(l.taskId)?.wanted === 1) expect(res.body.verdict).toBe('accepted');
			else expect(res.status).toBe(425);
		}
		// Claims take the oldest job first: close this one so the next test starts clean.
		expect((await requester.post(`/jobs/${job.id}/cancel`, {})).status).toBe(200);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('catches a warmed-up cheater: resets it, slashes at most its stake, claws back and redoes its unchecked tiles', async () => {
		const requester = await funded('requester-2');
		const [cheater, d, e] = [await funded('cheater'), client('honest-d'), client('honest-e')];
		const stakeMicro = 3_000;
		expect((await new ApiClient(relay.url, operator).post('/mint', { to: cheater.key, amountMicro: stakeMicro, ref: 'cheater-stake-credits' })).status).toBe(200);
		expect((await cheater.post('/stakes', { amountMicro: stakeMicro, ref: 'cheater-stake-1' })).status).toBe(200);
		// Warm-up, honestly, on a small job.
		const warm = await createJob(requester, 'warm-up-job', { ...SPEC, width: 256, height: 64 });
		const q = new RevealQueue();
		for (const w of [cheater, d]) for (const l of await claim(w, warm.id)) await q.add(w, l, honest(l));
		await q.flush();
		expect((await trustOf(cheater)).validStreak).toBe(warm.tasks);

		// Now the cheater lies on everything; honest d and e take whatever else needs doing.
		const job = await createJob(requester, 'cheated-job');
		let caughtAfterRounds = -1;
		for (let round = 0; round < ROUNDS_MAX; round++) {
			if (caughtAfterRounds < 0) for (const l of await claim(cheater, job.id, 4)) await q.add(cheater, l, lie(l));
			for (const w of [d, e]) for (const l of await claim(w, job.id, 8)) await q.add(w, l, honest(l));
			await q.flush();
			if (caughtAfterRounds < 0 && (await trustOf(cheater)).invalidTotal > 0) caughtAfterRounds = round;
			if ((await requester.get<JobDetail>(`/jobs/${job.id}`)).body.job.state !== 'running') break;
		}
		const detail = (await requester.get<JobDetail>(`/jobs/${job.id}`)).body;
		expect(caughtAfterRounds).toBeGreaterThanOrEqual(0);
		// Caught with less than the probation stake, the key may not work again until it stakes more.
		const refused = await cheater.post<{ error: { code: string } }>('/leases', { maxTasks: 1, kernels: ['mandelbrot'], backend: 'cpu' });
		expect(refused.status).toBe(403);
		expect(refused.body.error.code).toBe('stake_required');
		expect(detail.job.state).toBe('completed');
		// Every tile the requester gets is the honest one: no lie survived backtracking.
		const honestHash = new Map(mandelbrotMeta.split(SPEC).map((t) => [t.idx, sha(computeTileCpu(t.params))]));
		for (const t of detail.tasks) expect(t.acceptedHash).toBe(honestHash.get(t.idx));

		const trust = await trustOf(cheater);
		expect(trust.invalidTotal).toBeGreaterThan(0);
		expect(trust.slashedMicro).toBeGreaterThan(0);
		expect(trust.slashedMicro).toBeLessThanOrEqual(stakeMicro);
		expect(trust.events.map((x) => x.kind)).toContain('slash');
		const holdings = (await cheater.get<Holdings>(`/accounts/${cheater.key}/holdings`)).body;
		expect(holdings.stakeMicro).toBe(stakeMicro - trust.slashedMicro);
		// Whatever the cheater was paid for lies was clawed back: it keeps no payout for this job.
		const [kept] = await relay.ctx.db.query<{ net: unknown }>(
			`SELECT coalesce(sum(CASE WHEN reason = 'payout' THEN amount_micro ELSE -amount_micro END), 0) AS net
			FROM transfers WHERE job_id = $1 AND reason IN ('payout', 'clawback') AND (credit = $2 OR debit = $2)`,
			[job.id, `user:${cheater.key}`]
		);
		expect(int(kept?.net)).toBe(0);
		expect(trust.clawedBackMicro).toBe(detail.job.clawedBackMicro);
		// With these keys the cheater had unchecked lies accepted before a spot check caught it.
		expect(trust.clawedBackMicro).toBeGreaterThan(0);
		expect(trust.events.map((x) => x.kind)).toContain('clawback');
		// Each slash is 10× a tile's price, capped by what is left of the stake.
		const price = mandelbrotMeta.split(SPEC)[0]?.priceMicro ?? 0;
		expect(trust.events.filter((x) => x.kind === 'slash').every((x) => x.amountMicro <= SLASH_PRICE_MULTIPLE * price)).toBe(true);
		// Caught keys are replicated again.
		expect(trust.spotCheckProbability).toBe(1);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('voids the unchecked tiles of a finished job and gives their payouts back to its requester', async () => {
		const requester = await funded('requester-3');
		const [cheater, d, e] = [await funded('cheater-3'), client('honest-d3'), client('honest-e3')];
		const warm = await createJob(requester, 'warm-up-3', { ...SPEC, width: 256, height: 64 });
		const q = new RevealQueue();
		for (const w of [cheater, d]) for (const l of await claim(w, warm.id)) await q.add(w, l, honest(l));
		await q.flush();
		// A cheater that lies only where nobody checks (this test may peek at the database) gets
		// away with it until its job is finished...
		const done = await createJob(requester, 'finished-3', { ...SPEC, width: 256, height: 128 });
		const leases = await claim(cheater, done.id);
		const decided = await replication(leases.map((l) => l.taskId));
		const unchecked = leases.filter((l) => decided.get(l.taskId)?.wanted === 1);
		expect(unchecked.length).toBeGreaterThan(0);
		for (const l of leases) await q.add(cheater, l, decided.get(l.taskId)?.wanted === 1 ? lie(l) : honest(l));
		for (const l of await claim(d, done.id)) await q.add(d, l, honest(l));
		await q.flush();
		expect((await requester.get<JobDetail>(`/jobs/${done.id}`)).body.job.state).toBe('completed');
		// The requester paid with starter credits, so clawed-back payouts return as starter credits.
		const before = (await requester.get<Holdings>(`/accounts/${requester.key}/holdings`)).body.starterMicro;

		// ...until a spot check on another job catches it.
		const next = await createJob(requester, 'catching-3');
		for (let round = 0; round < ROUNDS_MAX && (await trustOf(cheater)).invalidTotal === 0; round++) {
			const mine = await claim(cheater, next.id, 4);
			const checks = await replication(mine.map((l) => l.taskId));
			for (const l of mine) await q.add(cheater, l, checks.get(l.taskId)?.wanted === 1 ? honest(l) : lie(l));
			for (const w of [d, e]) for (const l of await claim(w, next.id, 4)) await q.add(w, l, honest(l));
			await q.flush();
		}
		expect((await trustOf(cheater)).invalidTotal).toBeGreaterThan(0);
		const after = (await requester.get<JobDetail>(`/jobs/${done.id}`)).body;
		const price = mandelbrotMeta.split(SPEC)[0]?.priceMicro ?? 0;
		for (const l of unchecked) {
			const t = after.tasks.find((x) => x.id === l.taskId);
			expect(t?.state).toBe('voided');
			expect(t?.acceptedHash).toBeNull();
		}
		expect(after.job.state).toBe('completed');
		expect(after.job.clawedBackMicro).toBe(unchecked.length * price);
		const balance = (await requester.get<Holdings>(`/accounts/${requester.key}/holdings`)).body.starterMicro;
		// The requester's balance also moved by the second job's escrow and refund; isolate the clawbacks.
		const [fromClawbacks] = await relay.ctx.db.query<{ n: unknown }>(
			`SELECT coalesce(sum(amount_micro), 0) AS n FROM transfers WHERE reason = 'clawback' AND credit = $1`,
			[`starter:${requester.key}`]
		);
		expect(int(fromClawbacks?.n)).toBe(unchecked.length * price);
		expect(balance).toBeGreaterThanOrEqual(before - next.budgetMicro + int(fromClawbacks?.n));
		expect((await trustOf(cheater)).events.filter((x) => x.kind === 'voided').length).toBe(unchecked.length);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

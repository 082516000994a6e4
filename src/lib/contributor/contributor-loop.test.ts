// The shared contributor loop against the real relay (in-memory PGlite over HTTP), as Node hosts
// run it: an honest pair completes a job and is paid; a lease its device dropped lapses and is
// taken again; a dispute is answered round by round and the lying hook loses it; a result
// computed before a crash is uploaded once by the next instance on the same store.
import { afterEach, describe, expect, it } from 'vitest';
import type { DisputeView } from '../protocol/disputes.js';
import type { JobSummary } from '../protocol/jobs.js';
import type { Lease } from '../protocol/leases.js';
import type { Relay } from '../../../relay/server.js';
import { ApiClient } from '../../../relay/testing/api-client.js';
import { liedTrace } from '../../../relay/testing/mc-pi-traces.js';
import { nodeContributor, type NodeContributor, type NodeContributorOptions } from '../../../relay/testing/node-contributor.js';
import { NodeSigner } from '../../../relay/testing/node-signer.js';
import { startTestRelay } from '../../../relay/testing/test-relay.js';
import type { LoopTiming } from './contributor-loop.js';
import { packTrace } from './cpu-compute.js';
import { MemoryWorkStore } from './memory-work-store.js';

/** Two 64² tiles, cheap on the CPU twin. */
const TILES = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 30, tile: 64 };
/** One mc-pi chain of 64 steps: a dispute over it takes log2(64) = 6 rounds. */
const CHAIN = { seed: 7, chains: 1, steps: 64, samplesPerStep: 64 };
/** The loop's pace, faster than a browser's so a test takes seconds. */
const FAST: Partial<LoopTiming> = { claimIdleMsMin: 50, claimIdleMsMax: 300, refereePollMs: 200, gatedPollMs: 200 };
const WAIT_MS_MAX = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let relay: Relay | null = null;
const running: NodeContributor[] = [];
afterEach(async () => {
	await Promise.all(running.splice(0).map((c) => c.loop.stop({ reveal: false })));
	await relay?.close();
	relay = null;
});

async function funded(r: Relay): Promise<ApiClient> {
	const requester = new ApiClient(r.url, new NodeSigner());
	expect((await requester.post('/grants/demo', {})).status).toBe(201);
	return requester;
}

async function submit(requester: ApiClient, kernel: string, spec: object, ref: string): Promise<JobSummary> {
	const est = await requester.post<{ estimateMicro: number }>('/jobs/estimate', { kernel, spec });
	const res = await requester.post<JobSummary>('/jobs', { kernel, spec, budgetMicro: est.body.estimateMicro, clientRef: ref });
	expect(res.status, JSON.stringify(res.body)).toBe(201);
	return res.body;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
	const deadline = Date.now() + WAIT_MS_MAX;
	while (Date.now() < deadline) {
		const value = await probe();
		if (value) return value;
		await sleep(100);
	}
	throw new Error(`timed out waiting for ${what}`);
}

const finished = (requester: ApiClient, job: JobSummary) =>
	until(`job ${job.id} to finish`, async () => {
		const now = (await requester.get<{ job: JobSummary }>(`/jobs/${job.id}`)).body.job;
		return now.state !== 'running' && now;
	});

/** A contributor on the test relay, started with one slot; every lease it takes is recorded. */
async function device(r: Relay, o: Partial<NodeContributorOptions> = {}): Promise<NodeContributor & { leased: Lease[]; uploads: string[] }> {
	const leased: Lease[] = [];
	const uploads: string[] = [];
	const c = nodeContributor({ url: r.url, leaseMs: r.ctx.config.leaseMs, timing: FAST, ...o, events: { leased: (ls) => leased.push(...ls), uploaded: (l) => uploads.push(l.leaseId), ...o.events } });
	running.push(c);
	await c.loop.restore();
	expect(await c.loop.start(1)).toBe(true);
	return { ...c, leased, uploads };
}

const earned = async (r: Relay, key: string) => (await new ApiClient(r.url).get<{ earnedMicro: number }>(`/accounts/${key}`)).body.earnedMicro;

describe('the contributor loop against the real relay', () => {
	it('an honest pair completes a job, each key paid for each tile', async () => {
		relay = await startTestRelay();
		const r = relay;
		const requester = await funded(r);
		const job = await submit(requester, 'mandelbrot', TILES, 'loop-honest-pair');
		const [a, b] = [await device(r), await device(r)];
		const done = await finished(requester, job);
		expect(done.state).toBe('completed');
		expect(done.tasksDone).toBe(2);
		for (const d of [a, b]) {
			await until('both uploads to settle', async () => d.loop.tasksDone === 2);
			expect(d.loop.computed).toBe(2);
			expect(d.loop.rejected).toBe(0);
			expect(await earned(r, d.signer.publicKeyHex)).toBeGreaterThan(0);
		}
		expect(a.loop.accepted + b.loop.accepted, 'the second upload of each tile is accepted at once').toBe(2);
		expect(a.loop.status).toBe('waiting for work: no open tasks right now');
	});

	it('a lease its device dropped lapses, goes back to the queue and is taken again', async () => {
		relay = await startTestRelay({ leaseMs: 1_500 });
		const r = relay;
		const requester = await funded(r);
		const job = await submit(requester, 'mandelbrot', { ...TILES, width: 64 }, 'loop-lapsed');
		// The first device takes the tile and hangs on it (no heartbeat answers for it: it is gone).
		const signer = new NodeSigner();
		const hung = await device(r, { signer, compute: { profile: () => ({ backend: 'cpu', device: null }), compute: (_s, _l, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })) } });
		const first = await until('the tile to be leased', async () => hung.leased[0]);
		await hung.loop.stop({ reveal: false });
		// Back with the same key after the lease lapsed, with a partner: the tile is leased again and done.
		await sleep(r.ctx.config.leaseMs + 500);
		const back = await device(r, { signer });
		const partner = await device(r);
		expect((await finished(requester, job)).state).toBe('completed');
		const again = back.leased.find((l) => l.taskId === first.taskId);
		expect(again, 'the same key took the lapsed task again').toBeDefined();
		expect(again?.leaseId).not.toBe(first.leaseId);
		expect(partner.leased.map((l) => l.taskId)).toContain(first.taskId);
	});

	it('answers every round of a dispute from its trace; the lying hook loses to the referee', async () => {
		const operator = new NodeSigner();
		relay = await startTestRelay({ operatorKey: operator.publicKeyHex, disputeRoundMs: 5_000 });
		const r = relay;
		const referee = new NodeSigner();
		const marked = await new ApiClient(r.url, operator).post('/trusted-keys', { key: referee.publicKeyHex, trusted: true, note: 'test referee' });
		expect(marked.status).toBe(200);
		const requester = await funded(r);
		await submit(requester, 'mc-pi', CHAIN, 'loop-dispute');
		const disputes = new Set<string>();
		const honest = await device(r, { events: { questioned: (q) => disputes.add(q.disputeId) } });
		// Goes astray at step 40 and carries the lie on: a consistent trace only bisection can expose.
		const liar = await device(r, { hooks: { produce: async (lease) => packTrace(liedTrace(lease.params, 40)) } });
		// The referee takes no mc-pi work itself (a trusted key's result would settle the task alone).
		const ref = await device(r, { signer: referee, kernels: ['mandelbrot'] });
		expect(ref.loop.trusted).toBe(true);
		const id = await until('a dispute question', async () => [...disputes][0]);
		const settled = await until('the dispute to settle', async () => {
			const view = (await new ApiClient(r.url).get<DisputeView>(`/disputes/${id}`)).body;
			return view.state === 'settled' && view;
		});
		const winner = settled.winner === 'a' ? settled.workerA : settled.winner === 'b' ? settled.workerB : null;
		expect(winner).toBe(honest.signer.publicKeyHex);
		expect(settled.rounds).toBe(6);
		expect(honest.loop.disputeAnswers).toBeGreaterThanOrEqual(6);
		expect(ref.loop.refereeSteps).toBe(1);
		const events = await r.ctx.db.query<{ kind: string }>('SELECT kind FROM trust_events WHERE key = $1', [liar.signer.publicKeyHex]);
		expect(events.map((e) => e.kind)).toContain('invalid');
		const honestEvents = await r.ctx.db.query<{ kind: string }>('SELECT kind FROM trust_events WHERE key = $1', [honest.signer.publicKeyHex]);
		expect(honestEvents.map((e) => e.kind).filter((k) => k !== 'dispute'), 'the honest side is only recorded as a side of the dispute').toEqual([]);
	});

	it('leaving while it waits for work says that nothing was abandoned', async () => {
		relay = await startTestRelay();
		const logs: string[] = [];
		const idle = await device(relay, { events: { log: (text) => logs.push(text) } });
		await until('a claim that found no work', async () => idle.loop.noWork);
		await idle.loop.stop();
		expect(logs.at(-1)).toBe('Left: nothing was in flight.');
	});

	it('keeps a computed result across a crash: the next instance on the same store uploads it once', async () => {
		relay = await startTestRelay();
		const r = relay;
		const requester = await funded(r);
		const job = await submit(requester, 'mandelbrot', { ...TILES, width: 64 }, 'loop-crash');
		const store = new MemoryWorkStore();
		const signer = new NodeSigner();
		const before = await device(r, { signer, store });
		await until('the result to be committed', async () => before.loop.awaitingReveal === 1);
		expect((await store.results()).map((s) => s.committed)).toEqual([true]);
		// The tab dies: nothing is revealed on the way out.
		await before.loop.stop({ reveal: false });
		const after = await device(r, { signer, store });
		expect(after.loop.unsent, 'the result came back from the store').toBe(1);
		await device(r);
		expect((await finished(requester, job)).state).toBe('completed');
		await until('the upload', async () => after.uploads.length > 0);
		expect(after.uploads).toEqual([before.leased[0]?.leaseId]);
		expect(after.loop.computed, 'nothing was computed twice').toBe(0);
		expect(await store.results()).toEqual([]);
		expect(await earned(r, signer.publicKeyHex)).toBeGreaterThan(0);
	});
});

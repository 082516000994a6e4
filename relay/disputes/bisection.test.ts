// Bisection disputes over mc-pi chains through the real HTTP API: two disagreeing traces are
// bisected to the first divergent step in log2(T) rounds, a trusted referee recomputes that one
// step, the liar is penalised and the winner's result waits for one confirming replica; a silent
// side loses on time; a referee that matches neither voids both; without referees the relay
// asks a third replica instead.
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputePollResponse, DisputeView } from '../../src/lib/protocol/disputes.js';
import type { JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { Trust } from '../../src/lib/protocol/trust.js';
import { refereeStep } from '../../src/lib/kernels/mc-pi/cpu-twin.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { McPiTrace } from '../../src/lib/kernels/mc-pi/trace.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, type ApiResponse } from '../testing/api-client.js';
import { disputeAnswer, honestTrace, liedTrace, revealExtras } from '../testing/mc-pi-traces.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const STEPS = 64;
const SPEC = { seed: 7, chains: 1, steps: STEPS, samplesPerStep: 64 };
const ROUND_MS = 1_500;
const operator = new NodeSigner();

interface Side {
	client: ApiClient;
	lease: Lease;
	trace: McPiTrace;
}

describe('bisection disputes', () => {
	let relay: Relay;
	let requester: ApiClient;
	let referee: ApiClient;

	beforeAll(async () => {
		relay = await startTestRelay({ operatorKey: operator.publicKeyHex, disputeRoundMs: ROUND_MS });
		requester = new ApiClient(relay.url, new NodeSigner());
		expect((await requester.post('/grants/demo', {})).status).toBe(201);
		referee = new ApiClient(relay.url, new NodeSigner());
		const marked = await new ApiClient(relay.url, operator).post('/trusted-keys', { key: referee.key, trusted: true, note: 'test referee' });
		expect(marked.status).toBe(200);
	});
	afterAll(async () => {
		await relay?.close();
	});

	async function job(ref: string): Promise<JobSummary> {
		const res = await requester.post<JobSummary>('/jobs', { kernel: 'mc-pi', spec: SPEC, budgetMicro: 1_000_000, clientRef: ref });
		expect(res.status, JSON.stringify(res.body)).toBe(201);
		return res.body;
	}

	/** Two fresh keys take the job's one chain (new keys are always replicated) and reveal these traces. */
	async function disagree(jobId: string, traceOf: (lease: Lease, who: 'a' | 'b') => McPiTrace): Promise<{ a: Side; b: Side; verdicts: string[] }> {
		const sides: Side[] = [];
		for (const who of ['a', 'b'] as const) {
			const client = new ApiClient(relay.url, new NodeSigner());
			const [lease] = (await client.claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases.filter((l) => l.jobId === jobId);
			expect(lease, `side ${who} gets the chain`).toBeDefined();
			const trace = traceOf(lease as Lease, who);
			expect((await client.commit(lease as Lease, trace.final, { merkleRoot: revealExtras(trace).merkleRoot })).ok).toBe(true);
			sides.push({ client, lease: lease as Lease, trace });
		}
		const verdicts: string[] = [];
		for (const s of sides) {
			const res = await s.client.reveal<{ verdict: string }>(s.lease, s.trace.final, {}, revealExtras(s.trace));
			expect(res.status, JSON.stringify(res.body)).toBe(200);
			verdicts.push(res.body.verdict);
		}
		return { a: sides[0] as Side, b: sides[1] as Side, verdicts };
	}

	const poll = async (c: ApiClient) => {
		const res = await c.post<DisputePollResponse>('/disputes/poll', {});
		expect(res.status).toBe(200);
		return res.body;
	};

	/** Both sides answer every question until the dispute leaves bisection; returns the steps asked. */
	async function bisect(a: Side, b: Side, silent: 'b' | null = null): Promise<{ id: string; asked: number[] }> {
		const asked: number[] = [];
		let id = '';
		for (let round = 0; round < 20; round++) {
			const [qa] = (await poll(a.client)).questions;
			const [qb] = silent === 'b' ? [] : (await poll(b.client)).questions;
			if (!qa && !qb) break;
			for (const [side, q] of [[a, qa], [b, qb]] as const) {
				if (!q) continue;
				id = q.disputeId;
				if (side === a || !qa) asked.push(q.index);
				expect((await side.client.post(`/disputes/${id}/answer`, disputeAnswer(side.trace, q.index))).status).toBe(200);
			}
			if (qa && qb) expect(qb.index).toBe(qa.index);
			if (silent === 'b') break;
		}
		return { id, asked };
	}

	async function trustOf(c: ApiClient): Promise<Trust> {
		return (await c.get<Trust>(`/accounts/${c.key}/trust`)).body;
	}

	it('finds the first divergent step in log2(T) rounds, and the referee’s one step decides for the honest side', async () => {
		const j = await job('bisect-honest-wins');
		const LIE_AT = 37;
		const { a, b, verdicts } = await disagree(j.id, (lease, who) => (who === 'a' ? honestTrace(lease.params) : liedTrace(lease.params, LIE_AT)));
		expect(verdicts).toEqual(['pending', 'disputed']);

		const { id, asked } = await bisect(a, b);
		expect(asked).toHaveLength(Math.log2(STEPS));
		expect(asked[0]).toBe(STEPS / 2);
		let view = (await requester.get<DisputeView>(`/disputes/${id}`)).body;
		expect(view).toMatchObject({ state: 'refereeing', lo: LIE_AT - 1, hi: LIE_AT, rounds: Math.log2(STEPS), winner: null });

		// Nobody but a trusted referee is handed the step; the referee gets exactly one.
		expect((await poll(a.client)).referee).toEqual([]);
		const { referee: tasks } = await poll(referee);
		expect(tasks).toHaveLength(1);
		const task = tasks[0];
		expect(task).toMatchObject({ disputeId: id, kernel: 'mc-pi', index: LIE_AT, prior: bytesToHex(a.trace.states[LIE_AT - 2] as Uint8Array) });
		const state = refereeStep(task?.params, LIE_AT, hexToBytes(task?.prior as string));
		// Sides cannot referee, and the referee must answer the step it was given.
		expect((await a.client.post(`/disputes/${id}/referee`, { index: LIE_AT, state: bytesToHex(state) })).status).toBe(403);
		expect((await referee.post(`/disputes/${id}/referee`, { index: LIE_AT + 1, state: bytesToHex(state) })).status).toBe(409);
		const verdict = await referee.post<DisputeView>(`/disputes/${id}/referee`, { index: LIE_AT, state: bytesToHex(state) });
		expect(verdict.status, JSON.stringify(verdict.body)).toBe(200);
		expect(verdict.body).toMatchObject({ state: 'settled', winner: 'a' });

		// Winning the dispute only shows A right at step 37: its result waits for one more replica,
		// which only a referee may take, before anything is accepted or paid.
		let detail = (await requester.get<JobDetail>(`/jobs/${j.id}`)).body;
		expect(detail.job.state).toBe('running');
		expect((await new ApiClient(relay.url, new NodeSigner()).claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases).toEqual([]);
		const [confirm] = (await referee.claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases;
		expect(confirm?.taskId).toBe(a.lease.taskId);
		const truth = honestTrace(confirm?.params);
		expect((await referee.commit(confirm as Lease, truth.final, { merkleRoot: revealExtras(truth).merkleRoot })).ok).toBe(true);
		expect((await referee.reveal<{ verdict: string }>(confirm as Lease, truth.final, {}, revealExtras(truth))).body.verdict).toBe('accepted');

		detail = (await requester.get<JobDetail>(`/jobs/${j.id}`)).body;
		expect(detail.job.state).toBe('completed');
		expect(detail.tasks[0]?.results.map((r) => [r.worker, r.verdict])).toEqual([
			[a.client.key, 'agreed'],
			[b.client.key, 'voided'],
			[referee.key, 'agreed']
		]);
		expect((await trustOf(a.client)).events.map((e) => e.kind).sort()).toEqual(['dispute', 'dispute']);
		expect((await trustOf(b.client)).invalidTotal).toBe(1);
		const account = (c: ApiClient) => c.get<{ earnedMicro: number }>(`/accounts/${c.key}`);
		expect((await account(a.client)).body.earnedMicro).toBe(detail.job.paidMicro / 2);
		expect(detail.job.paidMicro).toBeGreaterThan(0);
		expect((await account(b.client)).body.earnedMicro).toBe(0);
		// Settled disputes take no more answers.
		const late = await b.client.post(`/disputes/${id}/answer`, disputeAnswer(b.trace, 1));
		expect((late.body as { error: { code: string } }).error.code).toBe('dispute_closed');
		view = (await requester.get<DisputeView>(`/disputes/${id}`)).body;
		expect(view.reason).toMatch(/matches side A after 6 bisection rounds/);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('refuses answers from strangers, for the wrong step, with a bad proof, or changed', async () => {
		const j = await job('bisect-bad-answers');
		const { a, b } = await disagree(j.id, (lease, who) => liedTrace(lease.params, 10, who === 'a' ? 1 : 2));
		const [q] = (await poll(a.client)).questions;
		const id = q?.disputeId as string;
		const code = (res: ApiResponse) => [res.status, (res.body as { error?: { code: string } }).error?.code];
		expect(code(await referee.post(`/disputes/${id}/answer`, disputeAnswer(a.trace, STEPS / 2)))).toEqual([403, 'forbidden']);
		expect(code(await a.client.post(`/disputes/${id}/answer`, disputeAnswer(a.trace, STEPS / 2 + 1)))).toEqual([409, 'conflict']);
		// b's leaf under a's root: the proof fails.
		expect(code(await a.client.post(`/disputes/${id}/answer`, disputeAnswer(b.trace, STEPS / 2)))).toEqual([400, 'bad_request']);
		const forged = { ...disputeAnswer(a.trace, STEPS / 2), state: '00'.repeat(8) };
		expect(code(await a.client.post(`/disputes/${id}/answer`, forged))).toEqual([400, 'bad_request']);
		expect(code(await a.client.post(`/disputes/${id}/answer`, { index: 1, state: 'zz', proof: [] }))).toEqual([400, 'bad_request']);
		expect((await a.client.post(`/disputes/${id}/answer`, disputeAnswer(a.trace, STEPS / 2))).status).toBe(200);
		// The same answer again is fine; nothing changes.
		expect((await a.client.post(`/disputes/${id}/answer`, disputeAnswer(a.trace, STEPS / 2))).status).toBe(200);
		expect(code(await referee.get(`/disputes/nope`))).toEqual([404, 'not_found']);

		// Both lied from step 10 (by different amounts): the referee’s state matches neither.
		await bisect(a, b);
		const [task] = (await poll(referee)).referee.filter((t) => t.disputeId === id);
		expect(task?.index).toBe(10);
		const state = refereeStep(task?.params, 10, hexToBytes(task?.prior as string));
		const verdict = await referee.post<DisputeView>(`/disputes/${id}/referee`, { index: 10, state: bytesToHex(state) });
		expect(verdict.body).toMatchObject({ state: 'settled', winner: 'neither' });
		expect((await trustOf(a.client)).invalidTotal).toBe(1);
		expect((await trustOf(b.client)).invalidTotal).toBe(1);
		// The chain is replicated afresh, by a referee (whose result stands on its own).
		expect((await new ApiClient(relay.url, new NodeSigner()).claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases).toEqual([]);
		const [redo] = (await referee.claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases;
		const truth = honestTrace(redo?.params);
		expect((await referee.commit(redo as Lease, truth.final, { merkleRoot: revealExtras(truth).merkleRoot })).ok).toBe(true);
		expect((await referee.reveal<{ verdict: string }>(redo as Lease, truth.final, {}, revealExtras(truth))).body.verdict).toBe('accepted');
		expect((await requester.get<JobDetail>(`/jobs/${j.id}`)).body.job.state).toBe('completed');
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('a side that goes silent loses when the round’s deadline passes', async () => {
		const j = await job('bisect-silent');
		const { a, b } = await disagree(j.id, (lease, who) => (who === 'a' ? honestTrace(lease.params) : liedTrace(lease.params, 50)));
		const { id } = await bisect(a, b, 'b');
		const deadline = Date.now() + ROUND_MS + 3_000;
		let view = (await requester.get<DisputeView>(`/disputes/${id}`)).body;
		while (view.state !== 'settled' && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 200));
			view = (await requester.get<DisputeView>(`/disputes/${id}`)).body;
		}
		expect(view).toMatchObject({ state: 'settled', winner: 'a', rounds: 0 });
		expect(view.reason).toMatch(/side B did not answer round 1 in time/);
		expect((await trustOf(b.client)).invalidTotal).toBe(1);
		// A's result waits for a referee's agreement.
		const [confirm] = (await referee.claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases;
		const truth = honestTrace(confirm?.params);
		expect((await referee.commit(confirm as Lease, truth.final, { merkleRoot: revealExtras(truth).merkleRoot })).ok).toBe(true);
		expect((await referee.reveal<{ verdict: string }>(confirm as Lease, truth.final, {}, revealExtras(truth))).body.verdict).toBe('accepted');
		expect((await requester.get<JobDetail>(`/jobs/${j.id}`)).body.job.state).toBe('completed');
	});
});

describe('bisect results without a trusted referee', () => {
	it('fall back to a third replica, and a reveal must prove its final leaf', async () => {
		const relay = await startTestRelay();
		try {
			const requester = new ApiClient(relay.url, new NodeSigner());
			await requester.post('/grants/demo', {});
			const j = (await requester.post<JobSummary>('/jobs', { kernel: 'mc-pi', spec: SPEC, budgetMicro: 1_000_000, clientRef: 'no-referee' })).body;
			const workers = [0, 1, 2].map(() => new ApiClient(relay.url, new NodeSigner()));
			const held: { w: ApiClient; lease: Lease; trace: McPiTrace }[] = [];
			const take = async (i: number) => {
				const w = workers[i] as ApiClient;
				const [lease] = (await w.claim({ maxTasks: 1, kernels: ['mc-pi'] })).body.leases;
				expect(lease, `worker ${i} gets the chain`).toBeDefined();
				const trace = i === 1 ? liedTrace((lease as Lease).params, 3) : honestTrace((lease as Lease).params);
				expect((await w.commit(lease as Lease, trace.final, { merkleRoot: revealExtras(trace).merkleRoot })).ok).toBe(true);
				held.push({ w, lease: lease as Lease, trace });
			};
			const reveal = async (h: { w: ApiClient; lease: Lease; trace: McPiTrace }) => {
				const res = await h.w.reveal<{ verdict: string }>(h.lease, h.trace.final, {}, revealExtras(h.trace));
				expect(res.status, JSON.stringify(res.body)).toBe(200);
				return res.body.verdict;
			};
			await take(0);
			await take(1);
			const first = held[0] as (typeof held)[number];
			// A proof of some other leaf, or none at all, is refused.
			const wrongProof = revealExtras(liedTrace(first.lease.params, 3)).finalProof;
			expect((await first.w.reveal(first.lease, first.trace.final, {}, { ...revealExtras(first.trace), finalProof: wrongProof })).status).toBe(400);
			expect((await first.w.reveal(first.lease, first.trace.final, {}, { merkleRoot: revealExtras(first.trace).merkleRoot })).status).toBe(400);
			const verdicts = [await reveal(first), await reveal(held[1] as (typeof held)[number])];
			await take(2);
			verdicts.push(await reveal(held[2] as (typeof held)[number]));
			expect(verdicts).toEqual(['pending', 'disputed', 'accepted']);
			expect((await relay.ctx.db.query('SELECT count(*)::int AS n FROM disputes'))[0]).toEqual({ n: 0 });
		} finally {
			await relay.close();
		}
	});
});

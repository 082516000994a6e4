import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Account } from '../../src/lib/protocol/accounts.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, submitReplicas } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 200, tile: 64 };

let relay: Relay;
const client = (signer = new NodeSigner()) => new ApiClient(relay.url, signer);

beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

async function funded(): Promise<ApiClient> {
	const c = client();
	expect((await c.post('/grants/demo', {})).status).toBe(201);
	return c;
}

async function createJob(requester: ApiClient, budgetMicro?: number): Promise<JobSummary> {
	const est = await requester.post<{ estimateMicro: number }>('/jobs/estimate', { kernel: 'mandelbrot', spec: SPEC });
	const res = await requester.post<JobSummary>('/jobs', {
		kernel: 'mandelbrot',
		spec: SPEC,
		budgetMicro: budgetMicro ?? est.body.estimateMicro + 1234,
		clientRef: `ref-${Math.random().toString(36).slice(2, 12)}`
	});
	expect(res.status).toBe(201);
	return res.body;
}

async function claim(worker: ApiClient, jobId: string): Promise<Lease[]> {
	const res = await worker.post<{ leases: Lease[] }>('/leases', { maxTasks: 16, kernels: ['mandelbrot'], backend: 'cpu' });
	expect(res.status).toBe(200);
	return res.body.leases.filter((l) => l.jobId === jobId);
}

const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));

describe('a job settled through the real HTTP API', () => {
	it('pays both agreeing workers and the fee, refunds the rest, and balances', async () => {
		const requester = await funded();
		const before = (await requester.get<Account>(`/accounts/${requester.key}`)).body.balanceMicro;
		const job = await createJob(requester);
		expect((await requester.get<Account>(`/accounts/${requester.key}`)).body.balanceMicro).toBe(before - job.budgetMicro);

		const [a, b] = [client(), client()];
		const entries: [ApiClient, Lease, Uint8Array][] = [];
		for (const w of [a, b]) {
			const leases = await claim(w, job.id);
			expect(leases).toHaveLength(job.tasks);
			for (const lease of leases) entries.push([w, lease, honest(lease)]);
		}
		// Commit-then-reveal: every replica commits before anyone reveals.
		const early = await a.reveal(entries[0]?.[1] as Lease, entries[0]?.[2] as Uint8Array);
		expect(early.status).toBe(409);
		for (const res of await submitReplicas(entries)) expect(res.status).toBe(200);
		const detail = (await requester.get<JobDetail>(`/jobs/${job.id}`)).body;
		expect(detail.job.state).toBe('completed');
		for (const t of detail.tasks) {
			expect(t.state).toBe('accepted');
			expect(new Set(t.results.filter((r) => r.verdict === 'agreed').map((r) => r.worker))).toEqual(new Set([a.key, b.key]));
		}
		const { paidMicro, feeMicro, refundedMicro, budgetMicro } = detail.job;
		expect(paidMicro + feeMicro + refundedMicro).toBe(budgetMicro);
		const after = (await requester.get<Account>(`/accounts/${requester.key}`)).body.balanceMicro;
		expect(before - after).toBe(paidMicro + feeMicro);
		const earned = (await a.get<Account>(`/accounts/${a.key}`)).body.earnedMicro + (await b.get<Account>(`/accounts/${b.key}`)).body.earnedMicro;
		expect(earned).toBe(paidMicro);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('rejects a lying worker: the honest majority is paid, the liar is not', async () => {
		const requester = await funded();
		const job = await createJob(requester);
		const [a, liar, c] = [client(), client(), client()];
		const entries: [ApiClient, Lease, Uint8Array][] = (await claim(a, job.id)).map((l) => [a, l, honest(l)]);
		for (const lease of await claim(liar, job.id)) {
			const bytes = honest(lease);
			bytes[7] = (bytes[7] ?? 0) ^ 0xff;
			entries.push([liar, lease, bytes]);
		}
		const verdicts = (await submitReplicas<{ verdict: string }>(entries)).map((r) => r.body.verdict);
		expect(verdicts.slice(job.tasks)).toEqual(Array(job.tasks).fill('disputed'));
		for (const lease of await claim(c, job.id)) {
			const res = await c.submit<{ verdict: string; paidMicro: number }>(lease, honest(lease));
			expect(res.body.verdict).toBe('accepted');
			expect(res.body.paidMicro).toBeGreaterThan(0);
		}
		const detail = (await requester.get<JobDetail>(`/jobs/${job.id}`)).body;
		expect(detail.job.state).toBe('completed');
		for (const t of detail.tasks) {
			expect(t.results.find((r) => r.worker === liar.key)?.verdict).toBe('rejected');
		}
		const liarAccount = (await liar.get<Account>(`/accounts/${liar.key}`)).body;
		expect(liarAccount.earnedMicro).toBe(0);
		expect(liarAccount.resultsRejected).toBe(job.tasks);
		expect((await a.get<Account>(`/accounts/${a.key}`)).body.earnedMicro).toBeGreaterThan(0);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('treats a re-sent result as the same result and never pays twice', async () => {
		const requester = await funded();
		const job = await createJob(requester);
		const [a, b] = [client(), client()];
		const leasesA = await claim(a, job.id);
		const entries: [ApiClient, Lease, Uint8Array][] = leasesA.map((l) => [a, l, honest(l)]);
		for (const lease of await claim(b, job.id)) entries.push([b, lease, honest(lease)]);
		await submitReplicas(entries);
		const first = leasesA[0] as Lease;
		const again = await a.reveal<{ verdict: string; paidMicro: number }>(first, honest(first));
		expect(again.status).toBe(200);
		expect(again.body.verdict).toBe('accepted');
		const account = (await a.get<Account>(`/accounts/${a.key}`)).body;
		expect(account.resultsAccepted).toBe(job.tasks);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('cancelling refunds the unused escrow and closes open tasks', async () => {
		const requester = await funded();
		const before = (await requester.get<Account>(`/accounts/${requester.key}`)).body.balanceMicro;
		const job = await createJob(requester);
		const res = await requester.post<JobSummary>(`/jobs/${job.id}/cancel`, {});
		expect(res.status).toBe(200);
		expect(res.body.state).toBe('cancelled');
		expect(res.body.refundedMicro).toBe(job.budgetMicro);
		expect((await requester.get<Account>(`/accounts/${requester.key}`)).body.balanceMicro).toBe(before);
		expect(await claim(client(), job.id)).toEqual([]);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

// Trusted referees and the one-network rule through the real HTTP API.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { KEY_LEASES_MAX } from '../../src/lib/protocol/limits.js';
import type { Trust } from '../../src/lib/protocol/trust.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { int } from '../store/db.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { RevealQueue } from '../testing/reveal-queue.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 256, height: 64, maxIter: 40, tile: 64 as const };
const operator = new NodeSigner();
let relay: Relay;
let op: ApiClient;

beforeAll(async () => {
	// Keys here take every tile of a job at once while others found none; lease windows and fair
	// shares have their own test (lease-hoarding.test.ts).
	relay = await startTestRelay({ operatorKey: operator.publicKeyHex, trustProxy: true, keyLeasesNew: KEY_LEASES_MAX, waitingMs: 0 });
	op = new ApiClient(relay.url, operator);
});
afterAll(async () => {
	await relay?.close();
});

const client = (network = '198.51.100.7') => {
	const c = new ApiClient(relay.url, new NodeSigner());
	c.headers = { 'x-forwarded-for': network };
	return c;
};
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const lie = (lease: Lease) => {
	const bytes = honest(lease);
	bytes[3] = (bytes[3] ?? 0) ^ 0x21;
	return bytes;
};

const requesters = new Map<string, ApiClient>();
async function newJob(ref: string): Promise<JobSummary> {
	const requester = client('192.0.2.1');
	expect((await requester.post('/grants/demo', {})).status).toBe(201);
	const res = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: ref });
	expect(res.status).toBe(201);
	requesters.set(res.body.id, requester);
	return res.body;
}

async function claim(worker: ApiClient, jobId: string): Promise<Lease[]> {
	const res = await worker.post<{ leases: Lease[] }>('/leases', { maxTasks: 16, kernels: ['mandelbrot'], backend: 'cpu' });
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	return res.body.leases.filter((l) => l.jobId === jobId);
}

/** Claims take the oldest job first: cancel what a test leaves open. */
async function cancel(jobId: string): Promise<void> {
	expect((await requesters.get(jobId)?.post(`/jobs/${jobId}/cancel`, {}))?.status).toBe(200);
}

describe('trusted referees', () => {
	it('only the operator may mark a key trusted, and the list is public', async () => {
		const referee = client();
		const stranger = client();
		const refused = await stranger.post<{ error: { code: string } }>('/trusted-keys', { key: stranger.key, trusted: true, note: 'me' });
		expect(refused.status).toBe(403);
		expect((await op.post('/trusted-keys', { key: referee.key, trusted: true, note: 'lab machine 1' })).status).toBe(200);
		const list = await stranger.get<{ keys: { key: string; note: string }[] }>('/trusted-keys');
		expect(list.body.keys.map((k) => k.key)).toEqual([referee.key]);
		expect((await op.post('/trusted-keys', { key: referee.key, trusted: false, note: '' })).status).toBe(200);
		expect((await stranger.get<{ keys: unknown[] }>('/trusted-keys')).body.keys).toEqual([]);
	});

	it('a trusted key is never replicated; a tie-break goes only to a referee, whose answer beats a cartel', async () => {
		const referee = client('203.0.113.5');
		expect((await op.post('/trusted-keys', { key: referee.key, trusted: true, note: 'referee' })).status).toBe(200);
		const job = await newJob('referee-job-1');
		const [honestKey, cartel1, cartel2] = [client('198.51.100.1'), client('198.51.101.1'), client('198.51.102.1')];
		const q = new RevealQueue();
		// The honest key and one cartel member take every tile; they disagree.
		for (const l of await claim(honestKey, job.id)) await q.add(honestKey, l, honest(l));
		for (const l of await claim(cartel1, job.id)) await q.add(cartel1, l, lie(l));
		const verdicts = await q.flush<{ verdict: string }>();
		expect(verdicts.filter((x) => x.client === cartel1).map((x) => x.res.body.verdict)).toEqual(Array(job.tasks).fill('disputed'));
		// The tie-break replica is the referee's alone: the second cartel member gets nothing.
		expect(await claim(cartel2, job.id)).toEqual([]);
		const refLeases = await claim(referee, job.id);
		expect(refLeases).toHaveLength(job.tasks);
		for (const l of refLeases) await q.add(referee, l, honest(l));
		const decided = await q.flush<{ verdict: string; paidMicro: number }>();
		expect(decided.map((x) => x.res.body.verdict)).toEqual(Array(job.tasks).fill('accepted'));
		const detail = (await op.get<JobDetail>(`/jobs/${job.id}`)).body;
		expect(detail.job.state).toBe('completed');
		for (const t of detail.tasks) {
			expect(t.results.find((r) => r.worker === honestKey.key)?.verdict).toBe('agreed');
			expect(t.results.find((r) => r.worker === cartel1.key)?.verdict).toBe('rejected');
		}
		// The honest worker's standing is untouched; the cartel member's is reset.
		expect((await honestKey.get<Trust>(`/accounts/${honestKey.key}/trust`)).body.invalidTotal).toBe(0);
		expect((await cartel1.get<Trust>(`/accounts/${cartel1.key}/trust`)).body.invalidTotal).toBe(job.tasks);

		// The referee's own work is single: its result is authoritative.
		const next = await newJob('referee-job-2');
		const own = await claim(referee, next.id);
		expect(own.length).toBeGreaterThan(0);
		const rows = await relay.ctx.db.query<{ replicas_wanted: unknown; single_worker: string | null }>(
			'SELECT replicas_wanted, single_worker FROM tasks WHERE id = ANY($1::text[])',
			[own.map((l) => l.taskId)]
		);
		for (const r of rows) expect({ wanted: int(r.replicas_wanted), single: r.single_worker }).toEqual({ wanted: 1, single: referee.key });
		await cancel(next.id);
		await op.post('/trusted-keys', { key: referee.key, trusted: false, note: '' });
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

describe('the one-network rule', () => {
	it('never gives two replicas of a task to keys on one network; other networks may take them', async () => {
		const job = await newJob('network-job-1');
		const [a, sameNet, elsewhere] = [client('203.0.113.10'), client('203.0.113.200'), client('203.0.114.10')];
		expect(await claim(a, job.id)).toHaveLength(job.tasks);
		expect(await claim(sameNet, job.id)).toEqual([]);
		expect(await claim(elsewhere, job.id)).toHaveLength(job.tasks);
		const networks = await relay.ctx.db.query<{ network: string }>(
			'SELECT DISTINCT l.network FROM leases l JOIN tasks t ON t.id = l.task_id WHERE t.job_id = $1 ORDER BY 1',
			[job.id]
		);
		expect(networks.map((n) => n.network)).toEqual(['203.0.113.0/24', '203.0.114.0/24']);
		await cancel(job.id);
	});
});

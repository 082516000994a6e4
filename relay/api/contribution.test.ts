// GET /accounts/:key/contribution through the real HTTP API: a job settled by honest workers and
// a liar, with two of one worker's leases recorded on two devices.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContributionSchema, type Account, type Contribution } from '../../src/lib/protocol/accounts.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Device } from '../../src/lib/protocol/devices.js';
import type { ClaimRequest, Lease } from '../../src/lib/protocol/leases.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, submitReplicas } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { gpuWords } from './routes/contribution.js';

// Two tiles: one per device of worker `a`.
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 200, tile: 64 };
const HOUR_MS = 3_600_000;

let relay: Relay;
const client = () => new ApiClient(relay.url, new NodeSigner());
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const contribution = async (c: ApiClient, query = '') => {
	const res = await c.get<Contribution>(`/accounts/${c.key}/contribution${query}`);
	expect(res.status).toBe(200);
	return v.parse(ContributionSchema, res.body);
};

async function claim(worker: ApiClient, jobId: string, extra: Partial<ClaimRequest> = {}): Promise<Lease[]> {
	const res = await worker.claim({ maxTasks: 16, kernels: ['mandelbrot'], ...extra });
	expect(res.status).toBe(200);
	return res.body.leases.filter((l) => l.jobId === jobId);
}

const GPU = { vendor: 'acme', architecture: 'rdna-3', maxBufferSize: 1 << 28, maxStorageBufferBindingSize: 1 << 27, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535 };
const LAPTOP: Device = { id: 'laptop-0001', label: 'Laptop', cores: 8, memoryGb: 16, gpu: GPU, score: 123_456.5 };
const PHONE: Device = { id: 'phone-00001', label: 'Phone', cores: 4, memoryGb: 4, gpu: null, score: 50_000 };

// Worker a took one tile on its laptop, then one on its phone; c lied on both tiles and d
// broke the ties.
let a: ApiClient;
let c: ApiClient;
let job: JobSummary;
let leasesA: Lease[];

beforeAll(async () => {
	relay = await startTestRelay();
	const requester = client();
	expect((await requester.post('/grants/demo', {})).status).toBe(201);
	const created = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 5_000_000, clientRef: 'contribution-job' });
	expect(created.status).toBe(201);
	job = created.body;
	expect(job.tasks).toBe(2);

	a = client();
	c = client();
	const d = client();
	// One tile claimed from each device: the claim records the device and the lease's device.
	leasesA = await claim(a, job.id, { maxTasks: 1, device: LAPTOP });
	await new Promise((r) => setTimeout(r, 5)); // the phone is seen last
	leasesA.push(...(await claim(a, job.id, { maxTasks: 1, device: PHONE })));
	expect(leasesA).toHaveLength(2);

	const entries: [ApiClient, Lease, Uint8Array][] = leasesA.map((l) => [a, l, honest(l)]);
	for (const lease of await claim(c, job.id)) {
		const bytes = honest(lease);
		bytes[7] = (bytes[7] ?? 0) ^ 0xff;
		entries.push([c, lease, bytes]);
	}
	await submitReplicas(entries);
	for (const lease of await claim(d, job.id)) expect((await d.submit(lease, honest(lease))).status).toBe(200);
	expect(await checkInvariants(relay.ctx.db)).toEqual([]);
});
afterAll(async () => {
	await relay?.close();
});

describe('GET /accounts/:key/contribution', () => {
	it('attributes results and payouts to the device whose lease carried them', async () => {
		const mine = await contribution(a);
		const account = (await a.get<Account>(`/accounts/${a.key}`)).body;
		expect(account.resultsAccepted).toBe(2);
		expect(mine.totals).toEqual({ resultsAccepted: 2, resultsRejected: 0, earnedMicro: account.earnedMicro });
		expect(mine.balanceMicro).toBe(account.balanceMicro);
		// Most recently seen first.
		expect(mine.devices.map((d) => d.id)).toEqual([PHONE.id, LAPTOP.id]);
		const [phone, laptop] = mine.devices;
		expect(laptop).toMatchObject({ label: 'Laptop', cores: 8, memoryGb: 16, score: 123_456.5, gpu: 'acme · rdna-3', resultsAccepted: 1, resultsRejected: 0 });
		expect(phone).toMatchObject({ label: 'Phone', cores: 4, gpu: null, resultsAccepted: 1 });
		expect(laptop?.lastSeenAt).toBeLessThan(phone?.lastSeenAt ?? 0);
		expect((laptop?.earnedMicro ?? 0) + (phone?.earnedMicro ?? 0)).toBe(account.earnedMicro);
		expect(laptop?.earnedMicro).toBeGreaterThan(0);
		expect(mine.otherDevices).toEqual({ resultsAccepted: 0, resultsRejected: 0, earnedMicro: 0 });
		expect(mine.reputation).toMatchObject({ validStreak: 2, validTotal: 2, invalidTotal: 0, trusted: false, spotCheckProbability: 1, stakeRequiredMicro: 0 });
	});

	it('counts a liar’s rejected results, with no device recorded, and the stake it must now keep', async () => {
		const liar = await contribution(c);
		expect(liar.devices).toEqual([]);
		expect(liar.totals).toEqual({ resultsAccepted: 0, resultsRejected: 2, earnedMicro: 0 });
		expect(liar.otherDevices).toEqual(liar.totals);
		expect(liar.reputation.invalidTotal).toBeGreaterThan(0);
		expect(liar.reputation.validStreak).toBe(0);
		expect(liar.reputation.stakeRequiredMicro).toBeGreaterThan(0);
	});

	it('buckets the last hours, oldest first, and leaves out work before the window', async () => {
		const now = (await contribution(a)).now;
		const [first, second] = leasesA;
		await relay.ctx.db.query('UPDATE results SET submitted_at = $1 WHERE lease_id = $2', [now - 3 * HOUR_MS, first?.leaseId]);
		await relay.ctx.db.query('UPDATE results SET submitted_at = $1 WHERE lease_id = $2', [now - 30 * HOUR_MS, second?.leaseId]);
		const mine = await contribution(a, '?hours=24');
		expect(mine.hourly).toHaveLength(24);
		const starts = mine.hourly.map((h) => h.start);
		expect(starts).toEqual(starts.map((_, i) => (starts[0] ?? 0) + i * HOUR_MS));
		const last = mine.hourly.at(-1);
		expect(last && last.start <= mine.now && mine.now < last.start + HOUR_MS).toBe(true);
		expect(mine.hourly.reduce((n, h) => n + h.resultsAccepted, 0)).toBe(1);
		const back3 = mine.hourly.find((h) => h.start <= now - 3 * HOUR_MS && now - 3 * HOUR_MS < h.start + HOUR_MS);
		expect(back3?.resultsAccepted).toBe(1);
		// Payouts count when they were paid (now), so all of them are in the window.
		expect(mine.hourly.reduce((n, h) => n + h.earnedMicro, 0)).toBe(mine.totals.earnedMicro);
		// All-time totals still count the result from before the window.
		expect(mine.totals.resultsAccepted).toBe(2);
		expect((await contribution(a, '?hours=1')).hourly).toHaveLength(1);
		expect((await contribution(a, '?hours=168')).hourly).toHaveLength(168);
	});

	it('shows a trusted referee as never spot-checked', async () => {
		await relay.ctx.db.query('INSERT INTO trusted_keys (key, note, added_at) VALUES ($1, $2, $3)', [a.key, 'test referee', Date.now()]);
		const mine = await contribution(a);
		expect(mine.reputation).toMatchObject({ trusted: true, spotCheckProbability: 0 });
	});

	it('answers for a key it has never seen, and refuses bad keys and windows', async () => {
		const fresh = await contribution(client());
		expect(fresh.totals).toEqual({ resultsAccepted: 0, resultsRejected: 0, earnedMicro: 0 });
		expect(fresh.hourly).toHaveLength(24);
		expect(fresh.hourly.every((h) => h.resultsAccepted === 0 && h.earnedMicro === 0)).toBe(true);
		for (const hours of ['0', '169', '1.5', 'x', '-1', '99999']) {
			expect((await a.get(`/accounts/${a.key}/contribution?hours=${hours}`)).status, hours).toBe(400);
		}
		expect((await a.get(`/accounts/${a.key}/contribution?hours=2&hours=3`)).status).toBe(400);
		expect((await a.get('/accounts/not-a-key/contribution')).status).toBe(400);
	});
});

describe('gpuWords', () => {
	it('describes an adapter from the fields it has, bounded', () => {
		expect(gpuWords(null)).toBeNull();
		expect(gpuWords({})).toBe('WebGPU');
		expect(gpuWords({ vendor: 'nvidia', architecture: 'hopper', device: 'nvidia' })).toBe('nvidia · hopper');
		expect(gpuWords(JSON.stringify({ vendor: 'apple' }))).toBe('apple');
		expect(gpuWords('x'.repeat(500))).toHaveLength(120);
	});
});

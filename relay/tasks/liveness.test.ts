// Work always finishes: a lease or commitment that lapses sends its task back to the queue for
// every eligible key (its own included, unless it withheld an answer), a commitment waiting for
// a slow partner stays alive while its key is around, and leases fit the device's speed.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Device, KernelSpeed } from '../../src/lib/protocol/devices.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { LEASE_FIT_FACTOR, LEASE_LIFETIME_MS_MAX, TASK_SECONDS_MAX } from '../../src/lib/protocol/limits.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import type { ApiClient } from '../testing/api-client.js';
import { claimFixture } from '../testing/claim-fixture.js';
import { claimableProblems } from './claim-invariants.js';

const LEASE_MS = 1_200;
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 30, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function device(speeds: KernelSpeed[]): Device {
	return { id: 'device-liveness-1', label: 'test device', cores: 2, memoryGb: 8, gpu: null, score: 1_000, kernels: speeds };
}

describe('liveness: lapsed work goes back to the queue for every eligible key', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS }, SPEC);
	const { client, take, job, cancel } = fx;
	const db = () => fx.relay.ctx.db;
	const invariant = async () => expect(await claimableProblems(db(), Date.now())).toEqual([]);
	const leaseState = async (id: string) => (await db().query<{ state: string }>('SELECT state FROM leases WHERE id = $1', [id]))[0]?.state;
	const events = async (key: string) => (await db().query<{ kind: string }>('SELECT kind FROM trust_events WHERE key = $1', [key])).map((r) => r.kind);
	const accept = async (pairs: [ApiClient, Lease][]) => {
		for (const [c, l] of pairs) expect((await c.commit(l, honest(l))).ok).toBe(true);
		const verdicts = [];
		for (const [c, l] of pairs) verdicts.push(((await c.reveal<{ verdict: string }>(l, honest(l))).body as { verdict: string }).verdict);
		return verdicts;
	};

	it('two keys whose leases and commitments both lapsed can each take the task again and finish it', async () => {
		const j = await job('live-both-lapse');
		const [fast, slow] = [client(), client()];
		const [lf] = await take(fast);
		const [ls] = await take(slow);
		expect(ls?.taskId).toBe(lf?.taskId);
		// The fast key commits; the slow one is still computing when everything lapses.
		expect((await fast.commit(lf as Lease, honest(lf as Lease))).ok).toBe(true);
		await sleep(LEASE_MS * 2 + 100);
		const late = await slow.commit(ls as Lease, honest(ls as Lease));
		expect(late.outcome).toMatchObject({ ok: false, error: { code: 'lease_expired' } });
		await invariant();
		// Before this change neither key could ever hold this task again: the job stalled forever.
		const [again] = await take(fast);
		expect(again?.taskId).toBe(lf?.taskId);
		expect(await leaseState(again?.leaseId as string)).toBe('active');
		const [slowAgain] = await take(slow);
		expect(slowAgain?.taskId).toBe(lf?.taskId);
		expect(await accept([[fast, again as Lease], [slow, slowAgain as Lease]])).toEqual(['pending', 'accepted']);
		// Nothing was withheld, so nobody's record suffers.
		expect(await events(fast.key)).toEqual([]);
		expect(await events(slow.key)).toEqual([]);
		await invariant();
		await cancel(j);
	});

	it('a commitment stays alive while its key keeps sending it and the partner is still computing', async () => {
		const j = await job('live-keepalive');
		const [fast, slow] = [client(), client()];
		const [lf] = await take(fast);
		const [ls] = await take(slow);
		const first = await fast.commit(lf as Lease, honest(lf as Lease));
		expect(first.ok).toBe(true);
		// Three lease lengths: the slow key heartbeats, the fast key re-sends its commitment.
		const until = Date.now() + LEASE_MS * 3;
		let kept = first.outcome?.ok ? first.outcome.expiresAt : 0;
		while (Date.now() < until) {
			await sleep(LEASE_MS / 4);
			expect((await slow.post(`/leases/${ls?.leaseId}/heartbeat`, {})).status).toBe(200);
			const again = await fast.commit(lf as Lease, honest(lf as Lease));
			expect(again.ok).toBe(true);
			expect(again.revealOpen).toBe(false);
			kept = again.outcome?.ok ? again.outcome.expiresAt : 0;
			expect(kept).toBeGreaterThan(Date.now());
		}
		// The slow key finishes: both are bound, the reveal opens, and keeping alive stops.
		expect((await slow.commit(ls as Lease, honest(ls as Lease))).ok).toBe(true);
		const bound = await fast.commit(lf as Lease, honest(lf as Lease));
		expect(bound.revealOpen).toBe(true);
		await sleep(50);
		const after = await fast.commit(lf as Lease, honest(lf as Lease));
		const boundAt = bound.outcome?.ok ? bound.outcome.expiresAt : -1;
		expect(after.outcome?.ok ? after.outcome.expiresAt : -2).toBe(boundAt);
		// Nor do heartbeats put the reveal off once it is open.
		const beat = await fast.post<{ expiresAt: number }>(`/leases/${lf?.leaseId}/heartbeat`, {});
		expect(beat.body.expiresAt).toBe(boundAt);
		expect((await fast.reveal<{ verdict: string }>(lf as Lease, honest(lf as Lease))).body.verdict).toBe('pending');
		expect((await slow.reveal<{ verdict: string }>(ls as Lease, honest(ls as Lease))).body.verdict).toBe('accepted');
		await cancel(j);
	});

	it('a key that withheld an answer after the reveal opened loses its streak and never takes the task again', async () => {
		const j = await job('live-withheld');
		const [quiet, other, third] = [client(), client(), client()];
		const [lq] = await take(quiet);
		const [lo] = await take(other);
		expect((await quiet.commit(lq as Lease, honest(lq as Lease))).ok).toBe(true);
		expect((await other.commit(lo as Lease, honest(lo as Lease))).revealOpen).toBe(true);
		// `other` reveals; `quiet` never does, and its lease runs out.
		expect((await other.reveal<{ verdict: string }>(lo as Lease, honest(lo as Lease))).body.verdict).toBe('pending');
		await sleep(LEASE_MS * 2 + 100);
		expect(await take(quiet)).toEqual([]);
		expect(await leaseState(lq?.leaseId as string)).toBe('abandoned');
		expect(await events(quiet.key)).toEqual(['abandoned']);
		const [lt] = await take(third);
		expect(lt?.taskId).toBe(lq?.taskId);
		expect(await accept([[third, lt as Lease]])).toEqual(['accepted']);
		await cancel(j);
	});
});

describe('liveness: leases fit the device', () => {
	const fx = claimFixture({ leaseMs: 2_000 }, SPEC);
	const { client, job, cancel } = fx;
	const price = mandelbrotMeta.split(v.parse(mandelbrotMeta.specSchema, SPEC))[0]?.priceMicro as number;
	const claimWith = (c: ApiClient, speeds: KernelSpeed[]) => c.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: device(speeds) });
	const cls = mandelbrotMeta.costClass(mandelbrotMeta.split(v.parse(mandelbrotMeta.specSchema, SPEC))[0]?.params as never);

	it('a slow device gets a lease long enough for its measured speed, a fast one the default', async () => {
		const j = await job('fit-slow');
		// 5 s per task at this speed: the lease is LEASE_FIT_FACTOR × 5 s, not the 2 s default.
		const slowSpeed = price / 5;
		const before = Date.now();
		const slow = await claimWith(client(), [{ kernel: 'mandelbrot', cls, backend: 'webgpu', speed: slowSpeed }]);
		const [ls] = slow.body.leases;
		expect(ls?.expiresAt).toBeGreaterThanOrEqual(before + LEASE_FIT_FACTOR * 5_000);
		expect(ls?.expiresAt).toBeLessThanOrEqual(Date.now() + LEASE_FIT_FACTOR * 5_000 + 50);
		const [{ backend } = { backend: '' }] = await fx.relay.ctx.db.query<{ backend: string }>('SELECT backend FROM leases WHERE id = $1', [ls?.leaseId]);
		expect(backend).toBe('webgpu');
		const fast = await claimWith(client(), [{ kernel: 'mandelbrot', cls, backend: 'cpu', speed: price * 100 }]);
		const [lf] = fast.body.leases;
		expect(lf?.taskId).toBe(ls?.taskId);
		expect(lf?.expiresAt).toBeLessThanOrEqual(Date.now() + 2_000);
		await cancel(j);
	});

	it('a device is never handed a task it measured too slow to finish in time', async () => {
		const j = await job('fit-too-slow');
		const tooSlow = price / (TASK_SECONDS_MAX * 1.5);
		expect((await claimWith(client(), [{ kernel: 'mandelbrot', cls, backend: 'webgpu', speed: tooSlow }])).body.leases).toEqual([]);
		// A speed for another cost class says nothing about this one: the one score decides.
		const other = (cls + 1) % mandelbrotMeta.costClasses;
		expect((await claimWith(client(), [{ kernel: 'mandelbrot', cls: other, backend: 'webgpu', speed: tooSlow }])).body.leases).toHaveLength(1);
		// Speed 0: the device cannot run the class at all.
		expect((await claimWith(client(), [{ kernel: 'mandelbrot', cls, backend: 'cpu', speed: 0 }])).body.leases).toEqual([]);
		await cancel(j);
	});

	it('heartbeats extend a lease no further than LEASE_LIFETIME_MS_MAX after it was granted', async () => {
		const j = await job('fit-lifetime');
		const c = client();
		const [lease] = (await c.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		const beat = () => c.post<{ expiresAt: number }>(`/leases/${lease?.leaseId}/heartbeat`, {});
		expect((await beat()).status).toBe(200);
		// As if granted almost LEASE_LIFETIME_MS_MAX ago: a heartbeat may only reach the cap.
		const grantedAt = Date.now() - LEASE_LIFETIME_MS_MAX + 500;
		await fx.relay.ctx.db.query('UPDATE leases SET created_at = $2, expires_at = $3 WHERE id = $1', [lease?.leaseId, grantedAt, Date.now() + 100]);
		const capped = await beat();
		expect(capped.status).toBe(200);
		expect(capped.body.expiresAt).toBeLessThanOrEqual(grantedAt + LEASE_LIFETIME_MS_MAX);
		await cancel(j);
	});
});

describe('liveness: running jobs take turns', () => {
	// Four 64² tiles per job. One key reads the queue's order by taking all eight: a window of
	// eight leases (a new key's is smaller) and a device of two workers (one with no device is
	// credited with one, and a couple of lease lengths of unmeasured tasks) let it.
	const fx = claimFixture({ leaseMs: 60_000, keyLeasesNew: 8 }, { ...SPEC, width: 128, height: 128 });
	const twoCores = device([]);
	const { client, job, cancel } = fx;

	it('a second job joins the rotation instead of waiting for the first to finish, and each fills in tile order', async () => {
		const first = await job('turns-first');
		const c = client();
		// The first job's first tile is taken before the second job exists.
		const [a0] = (await c.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: twoCores })).body.leases;
		expect(a0?.taskId).toBe(`${first.id}:0`);
		const second = await job('turns-second');
		const order = [];
		for (let i = 0; i < 7; i++) {
			const [l] = (await c.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: twoCores })).body.leases;
			order.push(l?.taskId);
		}
		// The second job starts where the queue stood (the lowest place still open: the first job's
		// tile 0, open until accepted) and the two alternate, each in tile order.
		expect(order).toEqual([`${second.id}:0`, `${first.id}:1`, `${second.id}:1`, `${first.id}:2`, `${second.id}:2`, `${first.id}:3`, `${second.id}:3`]);
		await cancel(first);
		await cancel(second);
	});
});

// Offline contribution on the relay side: a prefetched lease lasts OFFLINE_LEASE_MS so a device
// can compute with no network and upload late; the batch per key is bounded; a replica that
// commits meanwhile waits for the offline one instead of lapsing; and a device's advertised
// speed keeps tasks it could not finish in TASK_SECONDS_MAX away from it.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/lib/protocol/devices.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { PREFETCH_TASKS_MAX, TASK_SECONDS_MAX } from '../../src/lib/protocol/limits.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { claimFixture } from '../testing/claim-fixture.js';

const LEASE_MS = 1_000;
const OFFLINE_LEASE_MS = 120_000;
/** 20 tiles of 64 × 64 px at 50 iterations: each priced ceil(64·64·50·limbs / 10,000) µcr. */
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 320, height: 256, maxIter: 50, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const device = (score: number): Device => ({ id: `device-${score}`.replace('.', '_'), label: 'Test laptop', cores: 4, memoryGb: 8, gpu: null, score });

describe('offline leases', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS, offlineLeaseMs: OFFLINE_LEASE_MS, warmupStreak: 1_000 }, SPEC);

	it('grants long leases for a prefetch, at most PREFETCH_TASKS_MAX per key, and never shortens them', async () => {
		const job = await fx.job('offline-batch');
		const c = fx.client();
		const before = Date.now();
		const first = await c.claim({ maxTasks: 10, kernels: ['mandelbrot'], offline: true });
		expect(first.status).toBe(200);
		expect(first.body.leases).toHaveLength(10);
		for (const l of first.body.leases) expect(l.expiresAt).toBeGreaterThanOrEqual(before + OFFLINE_LEASE_MS);
		// The batch is topped up to the bound, never beyond.
		const second = await c.claim({ maxTasks: 10, kernels: ['mandelbrot'], offline: true });
		expect(second.body.leases).toHaveLength(PREFETCH_TASKS_MAX - 10);
		const third = await c.claim({ maxTasks: 10, kernels: ['mandelbrot'], offline: true });
		expect(third.body.leases).toHaveLength(0);
		// A heartbeat cannot cut a prefetched lease down to LEASE_MS.
		const l = first.body.leases[0] as Lease;
		const beat = await c.post<{ expiresAt: number }>(`/leases/${l.leaseId}/heartbeat`, {});
		expect(beat.body.expiresAt).toBe(l.expiresAt);
		await fx.cancel(job);
	});

	it('accepts a result computed offline after LEASE_MS, and the online replica waits for it', async () => {
		const job = await fx.job('offline-late');
		const [offline, online] = [fx.client(), fx.client()];
		const [lo] = (await offline.claim({ maxTasks: 1, kernels: ['mandelbrot'], offline: true })).body.leases;
		const [ln] = await fx.take(online);
		expect(ln?.taskId).toBe(lo?.taskId);
		const bytes = honest(lo as Lease);
		const early = await online.commit(ln as Lease, bytes);
		expect(early.ok).toBe(true);
		// Its commitment lasts as long as the offline replica's lease, not just LEASE_MS...
		expect(early.outcome?.ok && early.outcome.expiresAt).toBeGreaterThanOrEqual((lo as Lease).expiresAt);
		await new Promise((r) => setTimeout(r, LEASE_MS * 2));
		// ...so when the offline device comes back well after LEASE_MS, both are still bound.
		const late = await offline.commit(lo as Lease, bytes);
		expect(late.ok).toBe(true);
		expect(late.revealOpen).toBe(true);
		expect((await offline.reveal<{ verdict: string }>(lo as Lease, bytes)).body.verdict).toBe('pending');
		const again = await online.commit(ln as Lease, bytes);
		expect(again.revealOpen).toBe(true);
		const settled = await online.reveal<{ verdict: string; paidMicro: number }>(ln as Lease, bytes);
		expect(settled.body.verdict).toBe('accepted');
		await fx.cancel(job);
	});

	it('matches tasks to a device’s measured speed and records the device', async () => {
		const job = await fx.job('device-matching');
		const [price] = (await fx.relay.ctx.db.query<{ price_micro: unknown }>('SELECT price_micro FROM tasks WHERE job_id = $1 LIMIT 1', [job.id])).map((r) => Number(r.price_micro));
		expect(price).toBeGreaterThan(1);
		const slow = fx.client();
		// Too slow to finish any tile within TASK_SECONDS_MAX: no work, rather than a lease it would lose.
		const tooSlow = device(((price as number) - 1) / TASK_SECONDS_MAX / 2);
		expect((await slow.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: tooSlow })).body.leases).toHaveLength(0);
		const fast = device(((price as number) * 2) / TASK_SECONDS_MAX);
		expect((await slow.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: fast })).body.leases).toHaveLength(1);
		// A device that reports no speed takes any task.
		expect((await fx.take(fx.client())).length).toBe(1);
		const rows = await fx.relay.ctx.db.query<{ id: string; label: string; cores: unknown; score: unknown }>(
			'SELECT id, label, cores, score FROM devices WHERE key = $1 ORDER BY id',
			[slow.key]
		);
		expect(rows.map((r) => r.id).sort()).toEqual([tooSlow.id, fast.id].sort());
		const leases = await fx.relay.ctx.db.query<{ device: string }>('SELECT device FROM leases WHERE worker = $1', [slow.key]);
		expect(leases.map((l) => l.device)).toEqual([fast.id]);
		await fx.cancel(job);
	});

	it('refuses a malformed device description', async () => {
		const res = await fx.client().claim({ maxTasks: 1, kernels: ['mandelbrot'], device: { ...device(1), cores: 0 } });
		expect(res.status).toBe(400);
	});
});

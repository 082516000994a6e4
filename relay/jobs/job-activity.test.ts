// A job's activity through the real API: who joined, who is online, what open tiles wait for.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { JobActivity } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { claimFixture } from '../testing/claim-fixture.js';

const LEASE_MS = 1_000;
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 30, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));

describe('job activity', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS }, SPEC);
	const activity = async (id: string) => (await fx.client().get<JobActivity>(`/jobs/${id}/activity`)).body;

	it('says who is contributing, which tiles wait for a second device, and which went back to the queue', async () => {
		const j = await fx.job('activity-1');
		const empty = await activity(j.id);
		expect(empty).toMatchObject({ jobId: j.id, job: { id: j.id, state: 'running', paidMicro: 0 }, replicasPerTask: 2, contributorsOnline: 0, independentOnline: 0, devices: [] });
		expect(empty.tasks).toEqual({ open: 2, computing: 0, waitingForPartner: 0, requeued: 0 });

		// One device alone: it computes and commits both tiles, which then wait for a second device.
		const solo = fx.client();
		const leases = (await solo.claim({ maxTasks: 2, kernels: ['mandelbrot'] })).body.leases;
		expect(leases).toHaveLength(2);
		expect((await activity(j.id)).tasks).toMatchObject({ computing: 2, waitingForPartner: 0 });
		for (const l of leases) expect((await solo.commit(l, honest(l))).ok).toBe(true);
		const one = await activity(j.id);
		expect(one).toMatchObject({ contributorsOnline: 1, independentOnline: 1 });
		expect(one.devices).toEqual([{ key: solo.key, label: 'a device', backend: 'cpu', done: 2, computing: 0, online: true }]);
		expect(one.tasks).toEqual({ open: 2, computing: 0, waitingForPartner: 2, requeued: 0 });

		// A second device takes one tile and leaves without finishing: that tile goes back to the queue.
		const leaver = fx.client();
		const [left] = (await leaver.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		expect(left).toBeDefined();
		expect((await activity(j.id)).contributorsOnline).toBe(2);
		await new Promise((r) => setTimeout(r, LEASE_MS + 200));
		const after = await activity(j.id);
		expect(after.tasks.requeued).toBeGreaterThanOrEqual(1);
		expect(after.devices.map((d) => d.key)).toEqual([solo.key, leaver.key]);
		expect((await fx.client().get(`/jobs/nope/activity`)).status).toBe(404);
		await fx.cancel(j);
	});
});

// Fair work through the real HTTP API: a claim a bound keeps short says which bound; a key's
// window grows with its valid streak; while a key waits for work it could take, others keep to
// their fair share (heartbeats release the rest at once, and hold the others to their fitted
// term), a task a key let go goes to the waiting key first, and a task only its holder can do
// is never taken from it.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/lib/protocol/devices.js';
import type { ClaimResponse, Lease } from '../../src/lib/protocol/leases.js';
import { FAIR_SHARE_LEASES_MIN, QUORUM, WAITING_MS } from '../../src/lib/protocol/limits.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { int } from '../store/db.js';
import { submitReplicas, type ApiClient } from '../testing/api-client.js';
import { claimFixture } from '../testing/claim-fixture.js';
import { claimableProblems } from './claim-invariants.js';

const LEASE_MS = 5_000;
const NEW_KEY = 3;
/** Eight 64² tiles. */
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 512, height: 64, maxIter: 30, tile: 64 as const };
const TILES = 8;
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));

describe('fair work', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS, keyLeasesNew: NEW_KEY }, SPEC);
	const { client, job, cancel } = fx;
	const claim = (c: ApiClient, maxTasks: number, device?: Device) => c.claim({ maxTasks, kernels: ['mandelbrot'], ...(device ? { device } : {}) }).then((r) => r.body as ClaimResponse);

	it('says which bound kept a claim short, and a key’s window grows with its valid streak', async () => {
		const j = await job('fair-windows');
		const [a, b] = [client(), client()];
		const first = await claim(a, 16);
		expect(first.leases).toHaveLength(NEW_KEY);
		expect(first.limit).toMatchObject({ code: 'key_window', held: NEW_KEY, max: NEW_KEY, message: expect.stringMatching(/as many as its record allows/) });
		const again = await claim(a, 1);
		expect(again.leases).toEqual([]);
		expect(again.limit?.code).toBe('key_window');
		// Two valid results in a row: two more leases.
		const partner = (await claim(b, 2)).leases;
		const mine = first.leases.filter((l) => partner.some((p) => p.taskId === l.taskId));
		expect(mine).toHaveLength(2);
		const verdicts = await submitReplicas<{ verdict: string }>([...mine.map((l): [ApiClient, Lease, Uint8Array] => [a, l, honest(l)]), ...partner.map((l): [ApiClient, Lease, Uint8Array] => [b, l, honest(l)])]);
		expect(verdicts.map((r) => r.body.verdict)).toEqual(['pending', 'pending', 'accepted', 'accepted']);
		const grown = await claim(a, 16);
		// It still holds one lease; its window is now NEW_KEY + 2.
		expect(grown.leases).toHaveLength(NEW_KEY + 2 - 1);
		expect(grown.limit).toMatchObject({ code: 'key_window', max: NEW_KEY + 2 });
		await cancel(j);
	});

	it('a slow device holds what it can finish in a couple of lease lengths, and always one task per worker', async () => {
		const j = await job('fair-device');
		const price = mandelbrotMeta.split(SPEC)[0]?.priceMicro ?? 0;
		// Each tile takes this device 80% of a lease: two fit in its window of two lease lengths, a third does not.
		const speed = price / ((0.8 * LEASE_MS) / 1000);
		const kernels = Array.from({ length: mandelbrotMeta.costClasses }, (_, cls) => ({ kernel: 'mandelbrot', cls, backend: 'cpu' as const, speed }));
		const phone: Device = { id: 'slow-phone-1', label: 'phone', cores: 1, memoryGb: 2, gpu: null, score: speed, kernels };
		const got = await claim(client(), 16, phone);
		expect(got.leases).toHaveLength(2);
		expect(got.limit).toMatchObject({ code: 'device_window', held: 2, message: expect.stringMatching(/can finish in about 10 s/) });
		// Slower than its whole window: it still gets one task for its one worker.
		const slower = { ...phone, id: 'slow-phone-2', kernels: kernels.map((k) => ({ ...k, speed: speed / 10 })) };
		expect((await claim(client(), 16, slower)).leases).toHaveLength(1);
		await cancel(j);
	});
});

describe('fair shares while a key waits', () => {
	// Windows large enough for one key to take every tile: the shares are what is weighed here.
	const fx = claimFixture({ leaseMs: LEASE_MS, keyLeasesNew: TILES }, SPEC);
	const { client, job, cancel } = fx;
	const claim = (c: ApiClient, maxTasks: number) => c.claim({ maxTasks, kernels: ['mandelbrot'] }).then((r) => r.body as ClaimResponse);
	const beat = (c: ApiClient, l: Lease) => c.post<{ expiresAt: number; error?: { code: string; message: string } }>(`/leases/${l.leaseId}/heartbeat`, {});

	it('others keep their share: heartbeats release the rest, which go to the waiting key first', async () => {
		const j = await job('fair-share');
		const [h, c, w] = [client(), client(), client()];
		// h holds one replica of every tile, c the other: nothing is left for w.
		const held = (await claim(h, TILES)).leases;
		expect(held).toHaveLength(TILES);
		expect((await claim(c, TILES)).leases).toHaveLength(TILES);
		const waited = await claim(w, 2);
		expect(waited.leases).toEqual([]);
		expect(waited.limit).toBeUndefined();
		// w waits: h's share is what the job still needs over the keys contributing now.
		const share = Math.max(FAIR_SHARE_LEASES_MIN, Math.ceil((TILES * QUORUM) / 3));
		expect(fx.relay.ctx.presence.onlineCount(Date.now())).toBe(3);
		const beats = [];
		for (const l of held) beats.push(await beat(h, l));
		// The newest go first, of one claim the last in queue order.
		expect(beats.map((b) => b.status)).toEqual([...Array(share).fill(200), ...Array(TILES - share).fill(410)]);
		expect(beats[TILES - 1]?.body.error?.message).toMatch(/released: other devices are waiting for work/);
		// The leases it keeps are not extended past the term their claim fitted them to.
		for (const [i, l] of held.slice(0, share).entries()) expect(beats[i]?.body.expiresAt).toBe(l.expiresAt);
		expect(await claimableProblems(fx.relay.ctx.db, Date.now())).toEqual([]);
		// Even with nothing else in hand, h may not take them back while w waits: w gets them.
		for (const l of held.slice(0, share)) expect((await h.commit(l, honest(l))).ok).toBe(true);
		expect((await claim(h, 2)).leases).toEqual([]);
		expect((await claim(w, 2)).leases.map((l) => l.taskId)).toEqual(held.slice(share, share + 2).map((l) => l.taskId));
		await cancel(j);
	});
});

describe('a task only its holder can do', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS, keyLeasesNew: TILES }, SPEC);
	const { client, job, cancel } = fx;
	const claim = (c: ApiClient, maxTasks: number) => c.claim({ maxTasks, kernels: ['mandelbrot'] }).then((r) => r.body as ClaimResponse);

	it('is never taken from it while others wait, however long it takes', async () => {
		const j = await job('fair-only-holder');
		const [x, y] = [client(), client()];
		const xs = (await claim(x, TILES)).leases;
		const ys = (await claim(y, TILES)).leases;
		expect(ys.map((l) => l.taskId)).toEqual(xs.map((l) => l.taskId));
		// x finishes everything and waits; y computes on, slower than its claim said.
		for (const l of xs) expect((await x.commit(l, honest(l))).ok).toBe(true);
		expect((await claim(x, 2)).leases).toEqual([]);
		expect(fx.relay.ctx.presence.waiting(y.key, Date.now(), WAITING_MS).keys).toEqual([x.key]);
		await fx.relay.ctx.db.query('UPDATE leases SET due_at = $2 WHERE worker = $1', [y.key, Date.now() - 1]);
		for (const l of ys) {
			const res = await y.post<{ expiresAt: number }>(`/leases/${l.leaseId}/heartbeat`, {});
			expect(res.status).toBe(200);
			expect(res.body.expiresAt).toBeGreaterThan(l.expiresAt);
		}
		const [row] = await fx.relay.ctx.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM leases WHERE worker = $1 AND state = 'active' AND expires_at > $2`, [y.key, Date.now()]);
		expect(int(row?.n)).toBe(TILES);
		await cancel(j);
	});
});

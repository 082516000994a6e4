// Claims skip fully held tasks along the index (`claimable_after`); that must never hide a task
// that needs a replica: one whose lease lapsed, whose holder was caught cheating, or that a
// disagreement widened is handed out again at once.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { submitReplicas } from '../testing/api-client.js';
import { claimFixture } from '../testing/claim-fixture.js';
import { claimableProblems } from './claim-invariants.js';

const LEASE_MS = 1_200;
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 30, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));

describe('claims skip full tasks without hiding ones that need a replica', () => {
	const fx = claimFixture({ leaseMs: LEASE_MS }, SPEC);
	const { client, take, job, cancel } = fx;
	const skippedUntil = async (taskId: string) => Number((await fx.relay.ctx.db.query<{ c: unknown }>('SELECT claimable_after AS c FROM tasks WHERE id = $1', [taskId]))[0]?.c);
	const invariant = async () => expect(await claimableProblems(fx.relay.ctx.db, Date.now())).toEqual([]);

	it('a task full of live leases is skipped until the first can lapse, then handed out again', async () => {
		const j = await job('skip-lapse-1');
		const [a, b, c] = [client(), client(), client()];
		const [la] = await take(a);
		expect(await skippedUntil(la?.taskId as string)).toBe(0);
		const [lb] = await take(b);
		expect(lb?.taskId).toBe(la?.taskId);
		expect(await skippedUntil(la?.taskId as string)).toBe(la?.expiresAt);
		await invariant();
		expect(await take(c)).toEqual([]);
		// A commitment extends b's lease; a's is the one that lapses first.
		expect((await b.commit(lb as Lease, honest(lb as Lease))).ok).toBe(true);
		expect(await skippedUntil(la?.taskId as string)).toBe(la?.expiresAt);
		await new Promise((r) => setTimeout(r, LEASE_MS + 100));
		await invariant();
		const [lc] = await take(c);
		expect(lc?.taskId).toBe(la?.taskId);
		expect(lc?.jobId).toBe(j.id);
		await invariant();
		await cancel(j);
	});

	it('a cheater’s leases go back to the queue the moment it is caught', async () => {
		const j1 = await job('skip-revoke-1');
		const [liar, a, b] = [client(), client(), client()];
		const [first] = await take(liar);
		const [second] = await take(a);
		// The liar also holds a lease on the next job's tile, filling it with a's partner.
		const j2 = await job('skip-revoke-2');
		const [held] = (await liar.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		expect(held?.jobId).toBe(j2.id);
		const [partner] = await take(b);
		expect(partner?.taskId).toBe(held?.taskId);
		expect(await skippedUntil(held?.taskId as string)).toBeGreaterThan(Date.now());
		const lie = honest(first as Lease);
		lie[0] = (lie[0] ?? 0) ^ 1;
		await submitReplicas([
			[liar, first as Lease, lie],
			[a, second as Lease, honest(second as Lease)]
		]);
		// The disagreement widened the first task and the liar is not caught yet (no majority):
		// a third key gets the tie-break straight away.
		await invariant();
		const third = client();
		const [tie] = await take(third);
		expect(tie?.taskId).toBe(first?.taskId);
		await submitReplicas([[third, tie as Lease, honest(tie as Lease)]]);
		// Caught: its lease on the second job was revoked, so that tile is claimable again now.
		expect(await skippedUntil(held?.taskId as string)).toBe(0);
		await invariant();
		const [again] = await take(client());
		expect(again?.taskId).toBe(held?.taskId);
		await cancel(j1);
		await cancel(j2);
	});
});

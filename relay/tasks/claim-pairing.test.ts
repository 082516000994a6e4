// While proven keys exist, a new key's fresh replica is kept for a proven key: keys that joined
// together (a cartel, one actor's many keys) cannot make up a quorum between themselves. After
// `pairingWaitMs` the task goes to anyone, so work never stalls for want of a proven key.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { submitReplicas } from '../testing/api-client.js';
import { claimFixture } from '../testing/claim-fixture.js';

const PAIRING_WAIT_MS = 1_500;
/** Three 64 px tiles. */
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 192, height: 64, maxIter: 30, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));

describe('new keys are paired with proven ones', () => {
	const { client, take, job, cancel } = claimFixture({ warmupStreak: 1, pairingWaitMs: PAIRING_WAIT_MS }, SPEC);

	it('keeps a new key’s task for a proven key until the pairing wait lapses', async () => {
		// With nobody proven yet, two new keys share a task at once (and so warm up together).
		const first = await job('pairing-warm-up');
		const [p, q] = [client(), client()];
		const [lp] = await take(p);
		const [lq] = await take(q);
		expect(lq?.taskId).toBe(lp?.taskId);
		const verdicts = await submitReplicas<{ verdict: string }>([
			[p, lp as Lease, honest(lp as Lease)],
			[q, lq as Lease, honest(lq as Lease)]
		]);
		expect(verdicts.map((r) => r.body.verdict)).toEqual(['pending', 'accepted']);
		await cancel(first);

		// Now p and q are proven: a second new key does not join the first one's fresh task...
		const second = await job('pairing-new-keys');
		const [n1, n2, n3] = [client(), client(), client()];
		const [l1] = await take(n1);
		const [l2] = await take(n2);
		expect(l1?.jobId).toBe(second.id);
		expect(l2?.jobId).toBe(second.id);
		expect(l2?.taskId).not.toBe(l1?.taskId);
		// ...a proven key does, taking the oldest task that needs a replica.
		const [lp2] = await take(p);
		expect(lp2?.taskId).toBe(l1?.taskId);
		// Once the pairing wait has passed, a new key may join another new key's task.
		const [early] = await take(n3);
		expect(early?.taskId).not.toBe(l2?.taskId);
		await new Promise((r) => setTimeout(r, PAIRING_WAIT_MS + 100));
		const n4 = client();
		const [late] = await take(n4);
		expect(late?.taskId).toBe(l2?.taskId);
		await cancel(second);
	});
});

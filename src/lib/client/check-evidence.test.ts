// The requester's check of a job's evidence, on evidence from the real relay: two keys compute a
// job's tiles, the relay accepts them, and the check passes; then each way a relay could lie
// (a forged or altered receipt, other bytes, a task left out, too few keys) is caught.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { JobEvidence } from '../protocol/evidence.js';
import type { Lease } from '../protocol/leases.js';
import { computeTileCpu } from '../kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../kernels/mandelbrot/meta.js';
import { claimFixture } from '../../../relay/testing/claim-fixture.js';
import { submitReplicas } from '../../../relay/testing/api-client.js';
import { checkEvidence } from './check-evidence.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 30, tile: 64 };
const honest = (lease: Lease) => computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
const clone = (e: JobEvidence): JobEvidence => structuredClone(e);

describe('checkEvidence', () => {
	const fx = claimFixture({}, SPEC);

	it('passes the relay evidence of two agreeing keys and catches every alteration of it', async () => {
		const job = await fx.job('evidence-1');
		const [a, b] = [fx.client(), fx.client()];
		const byTask = new Map<string, Uint8Array>();
		for (;;) {
			const [la] = await fx.take(a);
			const [lb] = await fx.take(b);
			if (!la || !lb) break;
			expect(lb.taskId).toBe(la.taskId);
			const out = honest(la);
			byTask.set(la.taskId, out);
			await submitReplicas([[a, la, out], [b, lb, out]]);
		}
		const res = await a.get<JobEvidence>(`/jobs/${job.id}/evidence`);
		expect(res.status).toBe(200);
		const evidence = res.body;
		const bytes = new Map(evidence.tasks.map((t) => [t.idx, byTask.get(t.id)!] as const));
		const opts = { kernel: job.kernel, kernelVersion: job.kernelVersion, expectedTasks: mandelbrotMeta.split(v.parse(mandelbrotMeta.specSchema, SPEC)).length, bytes };
		expect(opts.expectedTasks).toBe(2);

		const good = checkEvidence(evidence, opts);
		expect(good.problems).toEqual([]);
		expect(good.ok).toBe(true);
		expect(good.keys).toEqual([a.key, b.key].sort());
		for (const t of good.tasks) expect(t.agreeingKeys).toHaveLength(2);

		// A signature changed by one hex digit.
		const forged = clone(evidence);
		const r0 = forged.tasks[0]!.receipts[0]!;
		r0.signature = (r0.signature[0] === '0' ? '1' : '0') + r0.signature.slice(1);
		expect(checkEvidence(forged, opts).problems.join()).toMatch(/does not verify/);
		// Another result hash put in both receipts and the accepted hash: the signatures no longer cover it.
		const swapped = clone(evidence);
		const fake = 'ab'.repeat(32);
		swapped.tasks[0]!.acceptedHash = fake;
		for (const r of swapped.tasks[0]!.receipts) r.sha256 = fake;
		expect(checkEvidence(swapped, opts).ok).toBe(false);
		// Downloaded bytes other than the signed ones.
		const other = new Map(bytes);
		other.set(1, new Uint8Array(bytes.get(1)!.length));
		expect(checkEvidence(evidence, { ...opts, bytes: other }).problems.join()).toMatch(/downloaded bytes hash/);
		// A task left out, or one key's receipt dropped.
		const short = clone(evidence);
		short.tasks.pop();
		expect(checkEvidence(short, opts).problems.join()).toMatch(/lists 1 tasks; the spec splits into 2/);
		const lonely = clone(evidence);
		lonely.tasks[1]!.receipts = lonely.tasks[1]!.receipts.slice(0, 1);
		expect(checkEvidence(lonely, opts).problems.join()).toMatch(/1 key signed the accepted bytes, 2 needed/);
		// Evidence of another kernel version.
		expect(checkEvidence(evidence, { ...opts, kernelVersion: opts.kernelVersion + 1 }).ok).toBe(false);

		expect((await a.get(`/jobs/nope/evidence`)).status).toBe(404);
	});
});

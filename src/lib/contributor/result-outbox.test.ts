import { describe, expect, it } from 'vitest';
import type { Lease } from '../protocol/leases.js';
import { CLAIM_COMMITMENTS_MAX } from '../protocol/limits.js';
import { ResultOutbox } from './result-outbox.js';

const lease = (id: string, expiresAt = 10_000): Lease => ({
	leaseId: id,
	taskId: `job:${id}`,
	jobId: 'job',
	kernel: 'mandelbrot',
	kernelVersion: 1,
	params: {},
	resultBytes: 4,
	expiresAt
});
const result = (id: string, expiresAt?: number) => ({
	lease: lease(id, expiresAt),
	bytes: new Uint8Array(4),
	receiptHeader: 'r',
	salt: 's'.repeat(32),
	commitment: `c-${id}`,
	label: `tile ${id}`,
	trace: null
});

describe('ResultOutbox', () => {
	it('re-sends an accepted commitment whose lease is running out, soonest first, so the relay keeps it', async () => {
		const box = new ResultOutbox();
		for (const id of ['a', 'b', 'c']) await box.add(result(id));
		box.applyOutcomes([
			{ leaseId: 'a', ok: true, expiresAt: 20_000 },
			{ leaseId: 'b', ok: true, expiresAt: 12_000 }
		]);
		// At 0 with 5 s of slack: only the uncommitted one.
		expect(box.commitments(0, 5_000)).toEqual([{ leaseId: 'c', commitment: 'c-c' }]);
		// At 10 s: b ends within 5 s; a does not yet.
		expect(box.commitments(10_000, 5_000).map((c) => c.leaseId)).toEqual(['c', 'b']);
		expect(box.commitments(16_000, 5_000).map((c) => c.leaseId)).toEqual(['c', 'a']);
		// The relay extended b: it is not re-sent until it runs low again.
		box.applyOutcomes([{ leaseId: 'b', ok: true, expiresAt: 40_000 }]);
		expect(box.commitments(10_000, 5_000).map((c) => c.leaseId)).toEqual(['c']);
		// An upload in flight is never re-committed.
		box.takeForReveal(['a']);
		expect(box.commitments(16_000, 5_000).map((c) => c.leaseId)).toEqual(['c']);
	});

	it('sends each commitment until the relay answers it, then reveals each result once', async () => {
		const box = new ResultOutbox();
		await box.add(result('a'));
		await box.add(result('b'));
		expect(box.commitments()).toEqual([
			{ leaseId: 'a', commitment: 'c-a' },
			{ leaseId: 'b', commitment: 'c-b' }
		]);
		const refused = box.applyOutcomes([
			{ leaseId: 'a', ok: true, expiresAt: 20_000 },
			{ leaseId: 'b', ok: false, error: { code: 'lease_expired', message: 'too late' } },
			{ leaseId: 'zz', ok: true, expiresAt: 1 }
		]);
		expect(refused.map((r) => [r.result.lease.leaseId, r.code])).toEqual([['b', 'lease_expired']]);
		expect(box.commitments()).toEqual([]);
		expect(box.waiting).toBe(1);
		// Only committed results are revealed, and each by one loop only.
		expect(box.takeForReveal(['a', 'b', 'zz']).map((h) => h.lease.leaseId)).toEqual(['a']);
		expect(box.takeForReveal(['a'])).toEqual([]);
		box.retry('a');
		expect(box.takeForReveal(['a']).map((h) => h.lease.leaseId)).toEqual(['a']);
		box.done('a');
		expect(box.size).toBe(0);
	});

	it('is bounded, sends at most one claim’s worth of commitments, and drops lapsed leases', async () => {
		const box = new ResultOutbox(40);
		for (let i = 0; i < 40; i++) await box.add(result(`l${i}`, i < 5 ? 100 : 10_000));
		expect(box.full).toBe(true);
		expect(() => box.add(result('one-more'))).toThrow(RangeError);
		expect(box.commitments()).toHaveLength(CLAIM_COMMITMENTS_MAX);
		expect(box.expire(1_000).map((h) => h.lease.leaseId)).toEqual(['l0', 'l1', 'l2', 'l3', 'l4']);
		expect(box.size).toBe(35);
		// An upload in flight is never dropped under it.
		box.applyOutcomes([{ leaseId: 'l5', ok: true, expiresAt: 2_000 }]);
		box.takeForReveal(['l5']);
		expect(box.expire(5_000)).toEqual([]);
	});
});

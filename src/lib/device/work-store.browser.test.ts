// The durable half of offline contribution, in real Chromium IndexedDB: prefetched leases and
// finished results survive a new page (a fresh WorkStore on the same database), a prefetched
// lease becomes a result in one transaction, and the outbox writes every change through.
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '$lib/protocol';
import { BisectTrace } from '$lib/contributor/bisect-trace';
import { ResultOutbox } from '$lib/contributor/result-outbox';
import { WorkStore } from './work-store';

const lease = (id: string, expiresAt: number): Lease => ({
	leaseId: id,
	taskId: `job:${id}`,
	jobId: 'job',
	kernel: 'mc-pi',
	kernelVersion: 1,
	params: { chain: 1 },
	resultBytes: 8,
	expiresAt
});
let dbName = '';
const open = () => WorkStore.open(dbName);

afterEach(async () => {
	await new Promise((resolve) => {
		const req = indexedDB.deleteDatabase(dbName);
		req.onsuccess = req.onerror = req.onblocked = resolve;
	});
});

describe('WorkStore', () => {
	it('keeps prefetched leases and one device id across pages, and drops leases that ran out', async () => {
		dbName = `work-test-${crypto.randomUUID()}`;
		const now = Date.now();
		const first = await open();
		const id = await first.deviceId();
		expect(id).toMatch(/^[0-9a-f]{24}$/);
		await first.addPrefetched([lease('a', now + 60_000), lease('b', now + 60_000), lease('old', now - 1)], now);
		first.close();
		const second = await open();
		expect(await second.deviceId()).toBe(id);
		expect((await second.prefetched(now)).map((l) => l.leaseId)).toEqual(['a', 'b']);
		// The lapsed one is gone for good, not just filtered.
		expect((await second.prefetched(now - 10)).map((l) => l.leaseId)).toEqual(['a', 'b']);
		second.close();
	});

	it('turns a prefetched lease into a stored result in one step, and the outbox writes through', async () => {
		dbName = `work-test-${crypto.randomUUID()}`;
		const now = Date.now();
		const store = await open();
		await store.addPrefetched([lease('p', now + 60_000)], now);
		const errors: unknown[] = [];
		const box = new ResultOutbox(8, { put: (r) => store.putResult(r), delete: (id) => store.deleteResult(id), onError: (e) => errors.push(e) });
		const states = new Uint8Array(4 * 8).map((_, i) => i);
		const trace = new BisectTrace(states, 8);
		await box.add(
			{ lease: lease('p', now + 60_000), bytes: trace.final, receiptHeader: 'r', salt: 's'.repeat(32), commitment: 'c', label: 'chain 1', trace },
			(r) => store.finishPrefetched(r)
		);
		expect(await store.prefetched(now)).toEqual([]);
		expect((await store.results()).map((r) => [r.lease.leaseId, r.committed])).toEqual([['p', false]]);
		box.applyOutcomes([{ leaseId: 'p', ok: true, expiresAt: now + 120_000 }]);
		await new Promise((r) => setTimeout(r, 50));
		const [saved] = await store.results();
		expect(saved?.committed).toBe(true);
		expect(saved?.expiresAt).toBe(now + 120_000);

		// A reload: a new outbox restores the result, with the same committed trace.
		const again = new ResultOutbox(8);
		expect(again.restore(await store.results())).toBe(1);
		expect(again.waiting).toBe(1);
		const [taken] = again.takeForReveal(['p']);
		expect(taken?.trace?.root).toBe(trace.root);
		expect(taken?.bytes).toEqual(trace.final);

		box.done('p');
		await new Promise((r) => setTimeout(r, 50));
		expect(await store.results()).toEqual([]);
		expect(errors).toEqual([]);
		store.close();
	});
});

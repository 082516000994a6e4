import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedLimiter } from './keyed-limiter.js';
import { fullBucket, take, type BucketState } from './token-bucket.js';

describe('KeyedLimiter', () => {
	it('keeps one bucket per id: draining one leaves the others alone', () => {
		const l = new KeyedLimiter({ burst: 2, perMinute: 60 }, 100);
		expect(l.take('a', 0).ok).toBe(true);
		expect(l.take('a', 0).ok).toBe(true);
		expect(l.take('a', 0)).toMatchObject({ ok: false, retryAfterMs: 1000 });
		expect(l.take('b', 0).ok).toBe(true);
		expect(l.peek('a', 0).ok).toBe(false);
		expect(l.peek('a', 1000).ok).toBe(true);
	});

	it('behaves exactly like one pure bucket per id while nothing is evicted', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3_000 }), fc.constantFrom('take', 'charge')), { maxLength: 80 }),
				(calls) => {
					const limit = { burst: 4, perMinute: 120 };
					const l = new KeyedLimiter(limit, 10);
					const model = new Map<string, BucketState>();
					let now = 0;
					for (const [id, dt, op] of calls) {
						now += dt;
						const s = model.get(id) ?? fullBucket(limit, now);
						if (op === 'take') {
							const want = take(s, limit, now);
							model.set(id, want.state);
							expect(l.take(id, now).ok).toBe(want.ok);
						} else {
							l.charge(id, now);
							model.set(id, { scaled: Math.max(-4 * 60_000, take(s, limit, now, 0).state.scaled - 60_000), at: now });
						}
						for (const k of ['a', 'b', 'c']) {
							const m = model.get(k) ?? fullBucket(limit, now);
							expect(l.peek(k, now).ok).toBe(take(m, limit, now).ok);
						}
					}
				}
			)
		);
	});

	it('never holds more than entriesMax buckets, however many ids arrive', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 50 })), { maxLength: 400 }), fc.integer({ min: 1, max: 32 }), (calls, max) => {
				const l = new KeyedLimiter({ burst: 3, perMinute: 6 }, max);
				let now = 0;
				for (const [id, dt] of calls) {
					now += dt;
					l.take(String(id), now);
					expect(l.size).toBeLessThanOrEqual(max);
				}
			})
		);
	});

	it('forgets idle buckets once they have refilled, so the map shrinks back', () => {
		const l = new KeyedLimiter({ burst: 1, perMinute: 60 }, 1_000);
		for (let i = 0; i < 500; i++) l.take(`old-${i}`, 0);
		expect(l.size).toBe(500);
		for (let i = 0; i < 300; i++) l.take(`new-${i}`, 10_000);
		// Each call forgets up to two refilled buckets: the 500 old ones go within 250 calls.
		expect(l.size).toBe(300);
	});

	it('when full of drained buckets, evicts the least recently used one', () => {
		const l = new KeyedLimiter({ burst: 1, perMinute: 1 }, 2);
		l.take('a', 0);
		l.take('b', 1);
		l.take('a', 2); // a is now the most recent, b the least
		l.take('c', 3);
		expect(l.size).toBe(2);
		expect(l.peek('a', 3).ok).toBe(false); // still remembered (drained)
		expect(l.peek('b', 3).ok).toBe(true); // forgotten: starts full again
	});
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charge, checkLimit, fullBucket, isFull, peek, refill, take, tokensOf, type BucketLimit, type BucketState } from './token-bucket.js';

const limitArb = fc.record({ burst: fc.integer({ min: 1, max: 500 }), perMinute: fc.integer({ min: 1, max: 100_000 }) });
/** Requests as (ms since the previous one, cost). */
const callsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 60 });

describe('token bucket', () => {
	it('starts full, empties, then refills at its rate', () => {
		const limit = { burst: 3, perMinute: 60 }; // one token a second
		let s = fullBucket(limit, 0);
		for (let i = 0; i < 3; i++) {
			const a = take(s, limit, 0);
			expect(a.ok).toBe(true);
			s = a.state;
		}
		const refused = take(s, limit, 0);
		expect(refused).toMatchObject({ ok: false, retryAfterMs: 1000 });
		expect(take(s, limit, 999).ok).toBe(false);
		expect(take(s, limit, 1000).ok).toBe(true);
		expect(tokensOf(refill(s, limit, 60_000))).toBe(3);
	});

	it('never admits more than the burst plus the rate over any window', () => {
		fc.assert(
			fc.property(limitArb, callsArb, (limit, calls) => {
				let s = fullBucket(limit, 0);
				let now = 0;
				const admitted: { at: number; cost: number }[] = [];
				for (const [dt, cost] of calls) {
					now += dt;
					const a = take(s, limit, now, cost);
					s = a.state;
					if (a.ok) admitted.push({ at: now, cost });
				}
				for (let i = 0; i < admitted.length; i++) {
					let sum = 0;
					for (let j = i; j < admitted.length; j++) {
						sum += (admitted[j] as { cost: number }).cost;
						const span = (admitted[j] as { at: number }).at - (admitted[i] as { at: number }).at;
						expect(sum).toBeLessThanOrEqual(limit.burst + (span * limit.perMinute) / 60_000 + 1e-9);
					}
				}
			})
		);
	});

	it('never refuses a caller that keeps under the rate', () => {
		fc.assert(
			fc.property(limitArb, fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 80 }), (limit, slack) => {
				const gap = Math.ceil(60_000 / limit.perMinute);
				let s = fullBucket(limit, 0);
				let now = 0;
				for (const extra of slack) {
					now += gap + extra;
					const a = take(s, limit, now);
					expect(a.ok).toBe(true);
					s = a.state;
				}
			})
		);
	});

	it('Retry-After is exact: waiting that long admits the same request, a millisecond less does not', () => {
		fc.assert(
			fc.property(limitArb, callsArb, fc.integer({ min: 1, max: 5 }), (limit, calls, cost) => {
				fc.pre(cost <= limit.burst);
				let s = fullBucket(limit, 0);
				let now = 0;
				for (const [dt, c] of calls) {
					now += dt;
					s = take(s, limit, now, c).state;
				}
				const a = take(s, limit, now, cost);
				if (a.ok) return;
				expect(a.retryAfterMs).toBeGreaterThan(0);
				expect(take(a.state, limit, now + a.retryAfterMs, cost).ok).toBe(true);
				expect(take(a.state, limit, now + a.retryAfterMs - 1, cost).ok).toBe(false);
			})
		);
	});

	it('stays within [−burst, burst], and a clock stepping back mints nothing', () => {
		fc.assert(
			fc.property(
				limitArb,
				fc.array(fc.tuple(fc.integer({ min: -5_000, max: 5_000 }), fc.constantFrom('take', 'charge', 'peek')), { maxLength: 60 }),
				(limit, steps) => {
					let s: BucketState = fullBucket(limit, 10_000);
					let now = 10_000;
					for (const [dt, op] of steps) {
						now += dt;
						const before = s;
						if (op === 'take') s = take(s, limit, now).state;
						else if (op === 'charge') s = charge(s, limit, now, 2);
						else {
							const p = peek(s, limit, now);
							expect(p.ok).toBe(take(s, limit, now).ok);
						}
						if (now <= before.at) expect(refill(before, limit, now)).toBe(before);
						expect(tokensOf(s)).toBeLessThanOrEqual(limit.burst);
						expect(tokensOf(s)).toBeGreaterThanOrEqual(-limit.burst);
					}
				}
			)
		);
	});

	it('charge puts an empty bucket in debt, which delays the next admission', () => {
		const limit = { burst: 2, perMinute: 60 };
		let s = fullBucket(limit, 0);
		s = charge(s, limit, 0, 3);
		expect(tokensOf(s)).toBe(-1);
		expect(take(s, limit, 0).retryAfterMs).toBe(2000);
		expect(isFull(s, limit, 3000)).toBe(true);
		expect(isFull(s, limit, 2999)).toBe(false);
	});

	it('refuses limits that would never admit or never refuse', () => {
		for (const bad of [{ burst: 0, perMinute: 1 }, { burst: 1, perMinute: 0 }, { burst: 1.5, perMinute: 1 }, { burst: 1, perMinute: Infinity }] as BucketLimit[]) {
			expect(() => checkLimit(bad)).toThrow(RangeError);
		}
	});
});

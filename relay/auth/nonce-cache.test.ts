import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NonceCache, NonceCacheFullError, NonceKeyFullError } from './nonce-cache.js';

describe('NonceCache', () => {
	it('remembers a nonce per key until its timestamp leaves the skew window', () => {
		const cache = new NonceCache({ skewMs: 1000 });
		cache.remember('k1', 'n', 5000, 5000);
		expect(cache.has('k1', 'n')).toBe(true);
		expect(cache.has('k2', 'n')).toBe(false);
		cache.prune(6000); // timestamp 5000 + skew 1000 could still pass at 6000
		expect(cache.has('k1', 'n')).toBe(true);
		cache.prune(6001);
		expect(cache.has('k1', 'n')).toBe(false);
	});

	it('keeps a future-dated nonce for its full window', () => {
		const cache = new NonceCache({ skewMs: 1000 });
		cache.remember('k', 'future', 5900, 5000);
		cache.prune(6800);
		expect(cache.has('k', 'future')).toBe(true);
	});

	it('refuses rather than forgets when full of live nonces', () => {
		const cache = new NonceCache({ entriesMax: 3, skewMs: 1000 });
		for (const n of ['a', 'b', 'c']) cache.remember('k', n, 0, 0);
		expect(() => cache.remember('k', 'd', 0, 0)).toThrow(NonceCacheFullError);
		expect(() => cache.remember('k', 'd', 0, 0)).toThrow(/replay cache is full/);
		expect(['a', 'b', 'c'].every((n) => cache.has('k', n))).toBe(true);
	});

	it('when full, sweeps expired entries even behind a live one', () => {
		const cache = new NonceCache({ entriesMax: 3, skewMs: 1000 });
		cache.remember('k', 'late', 2000, 1000); // lives to 3000, first in order
		cache.remember('k', 'a', 0, 1000); // lives to 1000
		cache.remember('k', 'b', 0, 1000);
		cache.remember('k', 'c', 1500, 1500); // full sweep at 1500 drops a and b
		expect(cache.size).toBe(2);
		expect(cache.has('k', 'late')).toBe(true);
	});

	it('stays bounded under a steady stream', () => {
		const cache = new NonceCache({ entriesMax: 1000, skewMs: 100 });
		for (let t = 0; t < 100_000; t++) cache.remember('k', String(t), t, t);
		expect(cache.size).toBeLessThanOrEqual(101);
	});
});

describe('NonceCache per key (issue 14, finding 11)', () => {
	it('refuses a key over its share and no one else', () => {
		const cache = new NonceCache({ entriesMax: 100, perKeyMax: 3, skewMs: 1000 });
		for (const n of ['a', 'b', 'c']) cache.remember('flooder', n, 0, 0);
		let refused: unknown = null;
		try {
			cache.remember('flooder', 'd', 0, 10);
		} catch (err) {
			refused = err;
		}
		expect(refused).toBeInstanceOf(NonceKeyFullError);
		// Its oldest nonce expires at 1000, so it may sign again at 1001.
		expect((refused as NonceKeyFullError).retryAfterMs).toBe(991);
		expect(() => cache.remember('honest', 'a', 0, 10)).not.toThrow();
		expect(cache.sizeOf('flooder')).toBe(3);
		expect(() => cache.remember('flooder', 'd', 1001, 1001)).not.toThrow();
	});

	it('however many nonces one key sends, every other key is still served', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 300 }), (perKeyMax, gaps) => {
				// Room for the flooder's share and every honest request: the flooder must not take more.
				const cache = new NonceCache({ entriesMax: perKeyMax + gaps.length, perKeyMax, skewMs: 500 });
				let now = 0;
				let i = 0;
				for (const gap of gaps) {
					now += gap;
					try {
						cache.remember('flooder', `n${i++}`, now, now);
					} catch (err) {
						expect(err).toBeInstanceOf(NonceKeyFullError);
					}
					expect(cache.sizeOf('flooder')).toBeLessThanOrEqual(perKeyMax);
					expect(() => cache.remember(`honest-${i}`, 'n', now, now)).not.toThrow();
				}
			})
		);
	});

	it('gives back the entries of keys that went quiet as other keys arrive', () => {
		const cache = new NonceCache({ skewMs: 100 });
		for (let k = 0; k < 50; k++) cache.remember(`k${k}`, 'n', 0, 0);
		expect(cache.size).toBe(50);
		for (let t = 0; t < 120; t++) cache.remember('busy', `n${t}`, 1000 + t, 1000 + t);
		expect(cache.sizeOf('k0')).toBe(0);
		expect(cache.size).toBeLessThanOrEqual(120);
	});

	it('reports when the whole cache frees up when many keys fill it', () => {
		const cache = new NonceCache({ entriesMax: 4, perKeyMax: 2, skewMs: 1000 });
		cache.remember('a', '1', 0, 0);
		cache.remember('a', '2', 100, 100);
		cache.remember('b', '1', 200, 200);
		cache.remember('c', '1', 300, 300);
		let refused: unknown = null;
		try {
			cache.remember('d', '1', 400, 400);
		} catch (err) {
			refused = err;
		}
		expect(refused).toBeInstanceOf(NonceCacheFullError);
		expect((refused as NonceCacheFullError).retryAfterMs).toBe(601);
		expect(() => cache.remember('d', '1', 1001, 1001)).not.toThrow();
	});
});

describe('NonceCache when many keys keep it full', () => {
	it('passes over every entry at most once a second', () => {
		const cache = new NonceCache({ entriesMax: 3, perKeyMax: 10, skewMs: 1000 });
		for (const t of [0, 1, 2]) cache.remember(`k${t}`, 'n', t, t);
		cache.remember('late', 'n', 1001, 1001); // the pass at 1001 frees the entry that expired at 1000
		let refused: unknown = null;
		try {
			cache.remember('later', 'n', 1002, 1002); // k1's entry expired, but the last pass was 1 ms ago
		} catch (err) {
			refused = err;
		}
		expect(refused).toBeInstanceOf(NonceCacheFullError);
		expect((refused as NonceCacheFullError).retryAfterMs).toBe(1000);
		expect(() => cache.remember('later', 'n', 2001, 2001)).not.toThrow();
		expect(cache.has('k1', 'n')).toBe(false);
	});
});

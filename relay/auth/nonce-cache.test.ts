import { describe, expect, it } from 'vitest';
import { NonceCache, NonceCacheFullError } from './nonce-cache.js';

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

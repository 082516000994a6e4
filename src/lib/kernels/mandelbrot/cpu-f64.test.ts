import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeCount16, escapeCount32, escapeCount48, sq16, sq32, sq48 } from './cpu-f64';
import { escapeCountRef, sqRef } from './reference';
import { INTERESTING_POINTS, pixelConstant } from './test-points';

const cases = [
	{ limbs: 2, fracBits: 16, sq: sq16, count: escapeCount16 },
	{ limbs: 3, fracBits: 32, sq: sq32, count: escapeCount32 },
	{ limbs: 4, fracBits: 48, sq: sq48, count: escapeCount48 }
] as const;

describe.each(cases)('f64 path, $limbs limbs', ({ limbs, fracBits, sq, count }) => {
	const one = 1n << BigInt(fracBits);
	it('squares exactly over the whole orbit range (|X| < 17 units where the square is < 2^53)', () => {
		const max = limbs === 4 ? 5n * one : 17n * one; // N=4: exactness needed below 32 units² only
		fc.assert(
			fc.property(fc.bigInt({ min: -max, max }), (x) => {
				expect(sq(Number(x))).toBe(Number(sqRef(x, fracBits)));
			}),
			{ numRuns: 2000 }
		);
	});
	it('squares exactly at the edges (multiples of 2^16 ± 1, extremes)', () => {
		const max = limbs === 4 ? 5n * one : 17n * one;
		const edges: bigint[] = [0n, 1n, max, max - 1n, one * 2n, one * 2n + 1n, one * 2n - 1n];
		for (let k = 1n; k < 1000n; k += 37n) edges.push(k * 65536n, k * 65536n - 1n, k * 65536n + 1n, max - k * 65537n, (1n << 32n) * k - 1n);
		for (const e of edges.filter((v) => v <= max)) {
			for (const x of [e, -e]) expect(sq(Number(x)), String(x)).toBe(Number(sqRef(x, fracBits)));
		}
	});
	if (limbs === 4) {
		it('keeps large squares above the escape radius', () => {
			fc.assert(
				fc.property(fc.bigInt({ min: 5n * one, max: 9n * one }), fc.boolean(), (x, neg) => {
					expect(sq(Number(neg ? -x : x))).toBeGreaterThan(4 * 2 ** 48);
				})
			);
		});
	}
	it('matches the reference escape count for random pixel constants', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -4n * one, max: 4n * one }), fc.bigInt({ min: -4n * one, max: 4n * one }), fc.integer({ min: 1, max: 400 }), (cx, cy, maxIter) => {
				expect(count(Number(cx), Number(cy), maxIter)).toBe(escapeCountRef(cx, cy, fracBits, maxIter));
			}),
			{ numRuns: 300 }
		);
	});
	it('matches the reference near the boundary of the set', () => {
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (p, dx, dy) => {
				const { cx, cy } = pixelConstant(p, fracBits, dx, dy);
				expect(count(Number(cx), Number(cy), 1500)).toBe(escapeCountRef(cx, cy, fracBits, 1500));
			}),
			{ numRuns: 100 }
		);
	});
});

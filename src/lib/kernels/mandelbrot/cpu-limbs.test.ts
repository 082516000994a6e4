import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeCountLimbs, limbScratch, normalise, setLimbs, squareLimbs } from './cpu-limbs';
import { escapeCountRef, sqRef } from './reference';
import { INTERESTING_POINTS, pixelConstant } from './test-points';

function toBig(a: Float64Array, n: number): bigint {
	let v = BigInt(a[n - 1]!);
	for (let k = n - 2; k >= 0; k--) v = (v << 16n) + BigInt(a[k]!);
	return v;
}

describe.each([2, 3, 4, 5, 6, 7, 8])('limb path, %i limbs', (n) => {
	const fracBits = 16 * (n - 1);
	const one = 1n << BigInt(fracBits);
	it('round-trips and normalises limbs', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -17n * one, max: 17n * one }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }), (x, jitter) => {
				const a = new Float64Array(n);
				setLimbs(x, a, n);
				expect(toBig(a, n)).toBe(x);
				// an unnormalised form of the same value normalises back to it
				for (let k = 0; k < n - 1; k++) {
					a[k] = a[k]! + jitter[k]! * 65536;
					a[k + 1] = a[k + 1]! - jitter[k]!;
				}
				normalise(a, n);
				expect(toBig(a, n)).toBe(x);
				for (let k = 0; k < n - 1; k++) expect(a[k]! >= 0 && a[k]! < 65536).toBe(true);
			})
		);
	});
	it('squares exactly: random limb values over the orbit range', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -17n * one, max: 17n * one }), (x) => {
				const a = new Float64Array(n);
				const out = new Float64Array(n);
				setLimbs(x, a, n);
				squareLimbs(a, out, n);
				expect(toBig(out, n)).toBe(sqRef(x, fracBits));
			}),
			{ numRuns: 1000 }
		);
	});
	it('matches the reference escape count', () => {
		const sc = limbScratch(n);
		fc.assert(
			fc.property(fc.bigInt({ min: -4n * one, max: 4n * one }), fc.bigInt({ min: -4n * one, max: 4n * one }), fc.integer({ min: 1, max: 300 }), (cx, cy, maxIter) => {
				setLimbs(cx, sc.cx, n);
				setLimbs(cy, sc.cy, n);
				expect(escapeCountLimbs(sc, maxIter)).toBe(escapeCountRef(cx, cy, fracBits, maxIter));
			}),
			{ numRuns: 200 }
		);
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), (p, dx, dy) => {
				const { cx, cy } = pixelConstant(p, fracBits, dx * 2 ** Math.max(0, fracBits - 48), dy);
				setLimbs(cx, sc.cx, n);
				setLimbs(cy, sc.cy, n);
				expect(escapeCountLimbs(sc, 600)).toBe(escapeCountRef(cx, cy, fracBits, 600));
			}),
			{ numRuns: 40 }
		);
	});
});

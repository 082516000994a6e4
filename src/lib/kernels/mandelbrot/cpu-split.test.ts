import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeCount64, escapeCount80, split64, split80, sq64, sq80 } from './cpu-split';
import { escapeCountRef, sqRef } from './reference';
import { DEEP_POINTS, INTERESTING_POINTS, pixelConstant } from './test-points';

type Limbs = [number, number, number, number];

const cases = [
	{
		limbs: 5,
		fracBits: 64,
		/** Weights (bit offsets) of the input limbs and of sq's output limbs. */
		inWeights: [0, 22, 43, 64],
		outWeights: [0, 22, 43, 64],
		sq: sq64,
		split: split64,
		count: escapeCount64,
		sqrt2: 26087635650665564424n // floor(sqrt(2)·2^64)
	},
	{
		limbs: 6,
		fracBits: 80,
		inWeights: [0, 20, 40, 60],
		outWeights: [0, 20, 40],
		sq: sq80,
		split: split80,
		count: escapeCount80,
		sqrt2: 1709679290002018430137083n // floor(sqrt(2)·2^80)
	}
] as const;

describe.each(cases)('split path, $limbs limbs', ({ fracBits, inWeights, outWeights, sq, split, count: countLimbs, sqrt2 }) => {
	const one = 1n << BigInt(fracBits);
	const four = 4n * one;
	const max = 17n * one;

	function value(a: readonly number[], weights: readonly number[]): bigint {
		return a.reduce((acc, v, k) => acc + (BigInt(v) << BigInt(weights[k]!)), 0n);
	}
	function sqBig(a: readonly number[]): bigint {
		const out = new Float64Array(outWeights.length);
		sq(Float64Array.from(a), out);
		for (const v of out) expect(Number.isSafeInteger(v)).toBe(true);
		return value(Array.from(out), outWeights);
	}
	/** sq on X normalised, with each low limb holding one unit of the next (< 2× its radix), and all at once. */
	function checkSquare(x: bigint): void {
		const want = sqRef(x, fracBits);
		const a = split(x);
		expect(value(a, inWeights)).toBe(x);
		for (let k = 0; k < 3; k++) expect(a[k]! >= 0 && a[k]! < 2 ** (inWeights[k + 1]! - inWeights[k]!)).toBe(true);
		expect(sqBig(a), String(x)).toBe(want);
		const radix = (k: number) => 2 ** (inWeights[k + 1]! - inWeights[k]!);
		for (let k = 0; k < 3; k++) {
			const b = [...a];
			b[k] = b[k]! + radix(k);
			b[k + 1] = b[k + 1]! - 1;
			expect(sqBig(b), `${x} unnormalised at ${k}`).toBe(want);
		}
		const all = [a[0] + radix(0), a[1] + radix(1) - 1, a[2] + radix(2) - 1, a[3] - 1];
		expect(sqBig(all), `${x} unnormalised`).toBe(want);
	}
	/** 0, powers of two ± 1, limb boundaries ± 1, ±17 units, and squares just around 4 and 2 units. */
	function edgeValues(): bigint[] {
		const out: bigint[] = [0n, 1n, max - 1n, max];
		for (let b = 0n; b <= BigInt(fracBits + 4); b++) out.push((1n << b) - 1n, 1n << b, (1n << b) + 1n);
		for (let d = -3n; d <= 3n; d++) out.push(2n * one + d, sqrt2 + d, one + d);
		for (const w of inWeights) for (let k = 1n; k < 1000n; k += 37n) out.push((k << BigInt(w)) - 1n, (k << BigInt(w)) + 1n, max - (k << BigInt(w)) - k);
		return out.filter((v) => v <= max).flatMap((v) => [v, -v]);
	}
	function count(cx: bigint, cy: bigint, maxIter: number): number {
		const [a0, a1, a2, a3]: Limbs = split(cx);
		const [b0, b1, b2, b3]: Limbs = split(cy);
		return countLimbs(a0, a1, a2, a3, b0, b1, b2, b3, maxIter);
	}

	it('squares exactly at the edges, normalised or not', () => {
		for (const x of edgeValues()) checkSquare(x);
	});
	it('squares exactly over the whole orbit range (|X| ≤ 17 units) and for small values', () => {
		fc.assert(fc.property(fc.bigInt({ min: -max, max }), checkSquare), { numRuns: 3000 });
		fc.assert(fc.property(fc.bigInt({ min: -(1n << 44n), max: 1n << 44n }), checkSquare), { numRuns: 500 });
	});
	it('decides the escape test exactly at the threshold', () => {
		const pairs: [bigint, bigint][] = [[2n * one, 0n], [2n * one + 1n, 0n], [2n * one - 1n, 1n], [sqrt2, sqrt2], [sqrt2 + 1n, sqrt2], [sqrt2 + 1n, sqrt2 + 1n], [sqrt2 + 2n, sqrt2 + 1n]];
		for (const [x, y] of pairs) {
			for (const [sx, sy] of [[1n, 1n], [-1n, 1n], [1n, -1n], [-1n, -1n]] as const) {
				expect(count(x * sx, y * sy, 5), `${x * sx}, ${y * sy}`).toBe(escapeCountRef(x * sx, y * sy, fracBits, 5));
			}
		}
		// the pairs really straddle the threshold: x² + y² exactly 4 units stays, one unit more escapes
		expect(sqRef(2n * one, fracBits)).toBe(four);
		expect(count(2n * one, 0n, 5)).toBe(2);
		expect(count(2n * one + 1n, 0n, 5)).toBe(1);
		const firstStep = pairs.map(([x, y]) => escapeCountRef(x, y, fracBits, 5));
		expect(firstStep).toContain(1);
		expect(firstStep.filter((c) => c > 1).length).toBeGreaterThan(1);
	});
	it('matches the reference escape count for random pixel constants', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -four, max: four }), fc.bigInt({ min: -four, max: four }), fc.integer({ min: 1, max: 400 }), (cx, cy, maxIter) => {
				expect(count(cx, cy, maxIter)).toBe(escapeCountRef(cx, cy, fracBits, maxIter));
			}),
			{ numRuns: 400 }
		);
	});
	it('matches the reference at the extremes of the constant range', () => {
		const ends = [four, four - 1n, -four, -four + 1n, 0n, 1n, -1n, 2n * one, -2n * one, one / 4n, -one / 4n + 1n];
		for (const cx of ends) for (const cy of ends) expect(count(cx, cy, 300)).toBe(escapeCountRef(cx, cy, fracBits, 300));
	});
	it('matches the reference near the boundary of the set', () => {
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS, ...DEEP_POINTS), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 40 }), (p, dx, dy, sh) => {
				const { cx, cy } = pixelConstant(p, fracBits, dx * 2 ** sh, dy * 2 ** sh);
				expect(count(cx, cy, 1500)).toBe(escapeCountRef(cx, cy, fracBits, 1500));
			}),
			{ numRuns: 100 }
		);
	});
});

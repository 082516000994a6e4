import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeCount64, escapeCount80, split20, split32, sq64, sq80 } from './cpu-split';
import { escapeCountRef, sqRef } from './reference';
import { DEEP_POINTS, INTERESTING_POINTS, pixelConstant } from './test-points';

const F = 64;
const ONE = 1n << 64n;
const FOUR = 4n * ONE;
const P32 = 1n << 32n;

/** sq64 of (h, l) as one BigInt. */
function sq64Big(h: bigint, l: bigint): bigint {
	const out = new Float64Array(2);
	sq64(Number(h), Number(l), out);
	expect(Number.isSafeInteger(out[0]) && Number.isSafeInteger(out[1])).toBe(true);
	return BigInt(out[0]!) * P32 + BigInt(out[1]!);
}

/** Checks sq64 on X in normalised form and in every unnormalised form with l < 2^34. */
function checkSquare(x: bigint): void {
	const want = sqRef(x, F);
	const h = x >> 32n;
	const l = BigInt.asUintN(32, x);
	for (let k = 0n; k < 4n; k++) expect(sq64Big(h - k, l + k * P32), `${x} k=${k}`).toBe(want);
}

/** Values just around the interesting places: 0, powers of two, ±17 units, the escape radius. */
function edgeValues(): bigint[] {
	const out: bigint[] = [0n, 1n, P32 - 1n, P32, P32 + 1n, 17n * ONE - 1n, 17n * ONE, 2n * ONE, 2n * ONE - 1n, 2n * ONE + 1n];
	for (let b = 0n; b <= 68n; b++) out.push((1n << b) - 1n, 1n << b, (1n << b) + 1n);
	// X² just below, at and above 4·2^64·2^64 (X ≈ 2 units) and at 2·2^64 (x² + y² split evenly)
	const sqrtTwo = 26087635650665564424n; // floor(sqrt(2)·2^64)
	for (let d = -3n; d <= 3n; d++) out.push(2n * ONE + d, sqrtTwo + d);
	for (let k = 1n; k < 1000n; k += 37n) out.push(k * P32 - 1n, k * P32 + 1n, 17n * ONE - k * 65537n, (k << 48n) - 1n);
	return out.filter((v) => v <= 17n * ONE).flatMap((v) => [v, -v]);
}

describe('split path, 5 limbs (F = 64)', () => {
	it('squares exactly at the edges, normalised or not', () => {
		for (const x of edgeValues()) checkSquare(x);
	});
	it('squares exactly over the whole orbit range (|X| ≤ 17 units)', () => {
		fc.assert(fc.property(fc.bigInt({ min: -17n * ONE, max: 17n * ONE }), checkSquare), { numRuns: 3000 });
	});
	it('squares exactly for small values and values near 2^32 multiples', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.integer({ min: -(2 ** 36), max: 2 ** 36 }), (d, k) => {
				checkSquare(d);
				const x = BigInt(k) * P32 + (d % 4n);
				if (x <= 17n * ONE && x >= -17n * ONE) checkSquare(x);
			}),
			{ numRuns: 2000 }
		);
	});
	it('decides the escape test exactly at the threshold', () => {
		// pairs (x, y) whose x² + y² sits at 4 units ± a few units in the last place
		const cases: [bigint, bigint][] = [
			[2n * ONE, 0n],
			[2n * ONE + 1n, 0n],
			[2n * ONE - 1n, 0n],
			[0n, -2n * ONE],
			[26087635650665564424n, 26087635650665564424n],
			[26087635650665564425n, 26087635650665564424n]
		];
		for (const [x, y] of cases) {
			for (const [sx, sy] of [[1n, 1n], [-1n, 1n], [1n, -1n], [-1n, -1n]] as const) {
				const want = sqRef(x * sx, F) + sqRef(y * sy, F) > FOUR;
				// the orbit starts at (cx, cy) after one step, so count 1 ⟺ cx² + cy² > 4 units
				if (x * sx <= FOUR && x * sx >= -FOUR && y * sy <= FOUR && y * sy >= -FOUR) {
					const [a, b] = split32(x * sx);
					const [c, d] = split32(y * sy);
					expect(escapeCount64(a, b, c, d, 5), `${x * sx}, ${y * sy}`).toBe(escapeCountRef(x * sx, y * sy, F, 5));
					expect(escapeCountRef(x * sx, y * sy, F, 5) === 1).toBe(want);
				}
			}
		}
	});
	it('matches the reference escape count for random pixel constants', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -FOUR, max: FOUR }), fc.bigInt({ min: -FOUR, max: FOUR }), fc.integer({ min: 1, max: 400 }), (cx, cy, maxIter) => {
				const [a, b] = split32(cx);
				const [c, d] = split32(cy);
				expect(escapeCount64(a, b, c, d, maxIter)).toBe(escapeCountRef(cx, cy, F, maxIter));
			}),
			{ numRuns: 400 }
		);
	});
	it('matches the reference at the extremes of the constant range', () => {
		const ends = [FOUR, FOUR - 1n, -FOUR, -FOUR + 1n, 0n, 1n, -1n, 2n * ONE, -2n * ONE, ONE / 4n, -ONE / 4n + 1n];
		for (const cx of ends) {
			for (const cy of ends) {
				const [a, b] = split32(cx);
				const [c, d] = split32(cy);
				expect(escapeCount64(a, b, c, d, 300)).toBe(escapeCountRef(cx, cy, F, 300));
			}
		}
	});
	it('matches the reference near the boundary of the set', () => {
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS, ...DEEP_POINTS), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 40 }), (p, dx, dy, sh) => {
				const { cx, cy } = pixelConstant(p, F, dx * 2 ** sh, dy * 2 ** sh);
				const [a, b] = split32(cx);
				const [c, d] = split32(cy);
				expect(escapeCount64(a, b, c, d, 1500)).toBe(escapeCountRef(cx, cy, F, 1500));
			}),
			{ numRuns: 100 }
		);
	});
});

describe('split path, 6 limbs (F = 80, 20-bit limbs)', () => {
	const F6 = 80;
	const ONE6 = 1n << 80n;
	const FOUR6 = 4n * ONE6;
	const SQRT2 = 1709679290002018430137083n; // floor(sqrt(2)·2^80)
	const P20 = 1n << 20n;

	function sq80Big(a: readonly number[]): bigint {
		const out = new Float64Array(3);
		sq80(Float64Array.from(a), out);
		for (const v of out) expect(Number.isSafeInteger(v)).toBe(true);
		return BigInt(out[0]!) + (BigInt(out[1]!) << 20n) + (BigInt(out[2]!) << 40n);
	}
	/** sq80 on X normalised and with each low limb carrying 2^20 borrowed from the next (< 2^21). */
	function checkSquare(x: bigint): void {
		const want = sqRef(x, F6);
		const a = split20(x);
		expect(BigInt(a[0]) + (BigInt(a[1]) << 20n) + (BigInt(a[2]) << 40n) + (BigInt(a[3]) << 60n)).toBe(x);
		expect(sq80Big(a), String(x)).toBe(want);
		for (let k = 0; k < 3; k++) {
			const b = [...a];
			b[k] = b[k]! + 2 ** 20;
			b[k + 1] = b[k + 1]! - 1;
			expect(sq80Big(b), `${x} unnormalised at ${k}`).toBe(want);
		}
		const all = [a[0] + 2 ** 20, a[1] + 2 ** 20 - 1, a[2] + 2 ** 20 - 1, a[3] - 1];
		expect(sq80Big(all), `${x} unnormalised`).toBe(want);
	}
	function edgeValues(): bigint[] {
		const out: bigint[] = [0n, 1n, P20 - 1n, P20, P20 + 1n, 17n * ONE6 - 1n, 17n * ONE6];
		for (let b = 0n; b <= 84n; b++) out.push((1n << b) - 1n, 1n << b, (1n << b) + 1n);
		for (let d = -3n; d <= 3n; d++) out.push(2n * ONE6 + d, SQRT2 + d);
		for (let k = 1n; k < 1000n; k += 37n) out.push(k * P20 - 1n, (k << 40n) + 1n, 17n * ONE6 - k * 1048577n, (k << 60n) - 1n);
		return out.filter((v) => v <= 17n * ONE6).flatMap((v) => [v, -v]);
	}
	function count(cx: bigint, cy: bigint, maxIter: number): number {
		return escapeCount80(...split20(cx), ...split20(cy), maxIter);
	}

	it('squares exactly at the edges, normalised or not', () => {
		for (const x of edgeValues()) checkSquare(x);
	});
	it('squares exactly over the whole orbit range (|X| ≤ 17 units)', () => {
		fc.assert(fc.property(fc.bigInt({ min: -17n * ONE6, max: 17n * ONE6 }), checkSquare), { numRuns: 3000 });
		fc.assert(fc.property(fc.bigInt({ min: -(1n << 44n), max: 1n << 44n }), checkSquare), { numRuns: 500 });
	});
	it('decides the escape test exactly at the threshold', () => {
		for (const [x, y] of [[2n * ONE6, 0n], [2n * ONE6 + 1n, 0n], [2n * ONE6 - 1n, 1n], [SQRT2, SQRT2], [SQRT2 + 1n, SQRT2], [SQRT2 + 1n, SQRT2 + 1n]] as const) {
			for (const [sx, sy] of [[1n, 1n], [-1n, 1n], [1n, -1n], [-1n, -1n]] as const) {
				expect(count(x * sx, y * sy, 5), `${x * sx}, ${y * sy}`).toBe(escapeCountRef(x * sx, y * sy, F6, 5));
			}
		}
		expect(count(2n * ONE6, 0n, 5)).toBe(2); // x² = 4 exactly does not escape; the next x = 6 does
		expect(count(2n * ONE6 + 1n, 0n, 5)).toBe(1);
	});
	it('matches the reference escape count for random pixel constants', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -FOUR6, max: FOUR6 }), fc.bigInt({ min: -FOUR6, max: FOUR6 }), fc.integer({ min: 1, max: 400 }), (cx, cy, maxIter) => {
				expect(count(cx, cy, maxIter)).toBe(escapeCountRef(cx, cy, F6, maxIter));
			}),
			{ numRuns: 400 }
		);
	});
	it('matches the reference at the extremes of the constant range', () => {
		const ends = [FOUR6, FOUR6 - 1n, -FOUR6, -FOUR6 + 1n, 0n, 1n, -1n, 2n * ONE6, -2n * ONE6, ONE6 / 4n, -ONE6 / 4n + 1n];
		for (const cx of ends) for (const cy of ends) expect(count(cx, cy, 300)).toBe(escapeCountRef(cx, cy, F6, 300));
	});
	it('matches the reference near the boundary of the set', () => {
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS, ...DEEP_POINTS), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 40 }), (p, dx, dy, sh) => {
				const { cx, cy } = pixelConstant(p, F6, dx * 2 ** sh, dy * 2 ** sh);
				expect(count(cx, cy, 1500)).toBe(escapeCountRef(cx, cy, F6, 1500));
			}),
			{ numRuns: 100 }
		);
	});
});

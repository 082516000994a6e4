import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freivaldsCheck, gamma, type Matrix } from './freivalds';

const seedOf = (n: number) => new Uint8Array(32).map((_, i) => (n * 131 + i * 7) & 255);

function matrix(rows: number, cols: number, values: (i: number) => number): Matrix {
	return { rows, cols, data: Float32Array.from({ length: rows * cols }, (_, i) => values(i)) };
}

/** C = A·B the way a float32 kernel does it: every partial sum rounded to float32, in `block`-sized chunks. */
function productF32(a: Matrix, b: Matrix, block = a.cols): Matrix {
	const c = new Float32Array(a.rows * b.cols);
	for (let i = 0; i < a.rows; i++)
		for (let j = 0; j < b.cols; j++) {
			let total = 0;
			for (let k0 = 0; k0 < a.cols; k0 += block) {
				let part = 0;
				for (let k = k0; k < Math.min(a.cols, k0 + block); k++) part = Math.fround(part + Math.fround(a.data[i * a.cols + k]! * b.data[k * b.cols + j]!));
				total = Math.fround(total + part);
			}
			c[i * b.cols + j] = total;
		}
	return { rows: a.rows, cols: b.cols, data: c };
}

const dims = fc.integer({ min: 1, max: 24 });
const value = fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true });

describe('freivaldsCheck', () => {
	it('passes every honest float32 product, in any summation blocking', () => {
		fc.assert(
			fc.property(dims, dims, dims, fc.integer({ min: 1, max: 8 }), fc.integer(), (m, k, n, block, s) => {
				const values = fc.sample(value, { numRuns: m * k + k * n, seed: s });
				const a = matrix(m, k, (i) => values[i]!);
				const b = matrix(k, n, (i) => values[m * k + i]!);
				const outcome = freivaldsCheck(a, b, productF32(a, b, block), seedOf(s));
				expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
				expect(outcome.worstRatio).toBeLessThanOrEqual(1);
			}),
			{ numRuns: 150 }
		);
	});

	it('fails a product with one element moved beyond its row bound, whatever the seed', () => {
		fc.assert(
			fc.property(dims, dims, dims, fc.integer(), fc.nat(), (m, k, n, s, where) => {
				const values = fc.sample(value, { numRuns: m * k + k * n, seed: s });
				const a = matrix(m, k, (i) => values[i]! || 1);
				const b = matrix(k, n, (i) => values[m * k + i]! || 1);
				const c = productF32(a, b);
				const at = where % c.data.length;
				const row = Math.floor(at / n);
				let rowBound = 0;
				for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) rowBound += Math.abs(a.data[row * k + l]! * b.data[l * n + j]!);
				c.data[at] = c.data[at]! + 3 * gamma(k) * rowBound + 1e-3;
				expect(freivaldsCheck(a, b, c, seedOf(s)).ok).toBe(false);
			}),
			{ numRuns: 150 }
		);
	});

	it('lets a lie through one round about half the time at most, as the bound says', () => {
		const a = matrix(8, 8, (i) => ((i * 37) % 11) - 5);
		const b = matrix(8, 8, (i) => ((i * 53) % 7) - 3);
		const c = productF32(a, b);
		c.data[3] = c.data[3]! + 1000;
		c.data[4] = c.data[4]! - 1000;
		let passed = 0;
		for (let s = 0; s < 400; s++) if (freivaldsCheck(a, b, c, seedOf(s), 1).ok) passed++;
		// Two errors of opposite sign in one row cancel when r_3 = r_4: p = ½ per round.
		expect(passed / 400).toBeGreaterThan(0.35);
		expect(passed / 400).toBeLessThan(0.65);
		expect(freivaldsCheck(a, b, c, seedOf(1)).ok, 'all 32 rounds').toBe(false);
	});

	it('fails NaN and refuses mismatched shapes and short seeds in words', () => {
		const a = matrix(2, 3, (i) => i);
		const b = matrix(3, 2, (i) => i);
		const c = productF32(a, b);
		c.data[0] = NaN;
		expect(freivaldsCheck(a, b, c, seedOf(0)).ok).toBe(false);
		expect(() => freivaldsCheck(a, a, c, seedOf(0))).toThrow(/inner sizes differ/);
		expect(() => freivaldsCheck(a, b, matrix(2, 3, () => 0), seedOf(0))).toThrow(/A·B is 2×2/);
		expect(() => freivaldsCheck(a, b, c, new Uint8Array(4))).toThrow(/16 random bytes/);
		expect(() => gamma(2 ** 24)).toThrow(/too long/);
	});
});

// Fast exact paths for 5 and 6 limbs: the fixed-point integer X held as four limbs in f64, the
// lower three normalised (non-negative, below their radix), the top one signed; every product and
// column sum stays below 2^53, so all arithmetic is exact, and the floor-shift by F bits falls on a
// limb boundary. The code is unrolled for its N and keeps the orbit in registers.
// Property tests (cpu-split.test.ts) prove each against the BigInt reference.

// N = 5 (F = 64): X = a3·2^64 + a2·2^43 + a1·2^22 + a0 with a0 < 2^22, a1, a2 < 2^21 (normalised;
// up to twice that for the sum of two normalised values) and a3 the signed integer part (|a3| ≤ 18).
// Products at 22 + 43 = 65 and 22 + 22 = 44 bits are folded into the 64- and 43-bit columns
// with an extra factor 2. The result comes out as four unnormalised limbs r0..r3 of the same layout.

const P22 = 2 ** 22;
const INV22 = 2 ** -22;
const P21 = 2 ** 21;
const INV21 = 2 ** -21;

/**
 * floor(X² / 2^64) for the limbs a[0..3] (bounds above); writes out[0..3] (unnormalised, each
 * |out[k]| < 2^48) with value out[0] + out[1]·2^22 + out[2]·2^43 + out[3]·2^64. The low columns
 * (weights 0, 22, 43) only carry into the result: three chained floors, exact because
 * floor((a + floor(b))/m) = floor((a + b)/m) for integers a, m.
 */
export function sq64(a: Float64Array, out: Float64Array): void {
	const a0 = a[0]!;
	const a1 = a[1]!;
	const a2 = a[2]!;
	const a3 = a[3]!;
	let k = Math.floor(a0 * a0 * INV22);
	k = Math.floor((2 * a0 * a1 + k) * INV21);
	k = Math.floor((2 * (a0 * a2 + a1 * a1) + k) * INV21);
	out[0] = 2 * a0 * a3 + 4 * a1 * a2 + k;
	out[1] = 2 * a1 * a3 + a2 * a2;
	out[2] = 2 * a2 * a3;
	out[3] = a3 * a3;
}

/**
 * Escape count for N = 5 (F = 64); c as from `split64` (normalised limbs). sq64 is written out
 * three times; x and y are renormalised (three chained carries each) once per iteration.
 */
export function escapeCount64(cx0: number, cx1: number, cx2: number, cx3: number, cy0: number, cy1: number, cy2: number, cy3: number, maxIter: number): number {
	let x0 = 0;
	let x1 = 0;
	let x2 = 0;
	let x3 = 0;
	let y0 = 0;
	let y1 = 0;
	let y2 = 0;
	let y3 = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		// xx = sq64(x)
		let k = Math.floor(x0 * x0 * INV22);
		k = Math.floor((2 * x0 * x1 + k) * INV21);
		k = Math.floor((2 * (x0 * x2 + x1 * x1) + k) * INV21);
		const xx0 = 2 * x0 * x3 + 4 * x1 * x2 + k;
		const xx1 = 2 * x1 * x3 + x2 * x2;
		const xx2 = 2 * x2 * x3;
		const xx3 = x3 * x3;
		// yy = sq64(y)
		k = Math.floor(y0 * y0 * INV22);
		k = Math.floor((2 * y0 * y1 + k) * INV21);
		k = Math.floor((2 * (y0 * y2 + y1 * y1) + k) * INV21);
		const yy0 = 2 * y0 * y3 + 4 * y1 * y2 + k;
		const yy1 = 2 * y1 * y3 + y2 * y2;
		const yy2 = 2 * y2 * y3;
		const yy3 = y3 * y3;
		// xx + yy > 4·2^64, exactly: the first two steps are exact (< 2^48); the third is exact
		// unless |it| ≥ 2^53, and then its ·2^22 (≥ 2^75) dwarfs the low limb (< 2^49), so no
		// rounding can change the sign of the whole.
		if ((((xx3 + yy3 - 4) * P21 + (xx2 + yy2)) * P21 + (xx1 + yy1)) * P22 + (xx0 + yy0) > 0) break;
		// s = sq64(x + y)
		const t0 = x0 + y0;
		const t1 = x1 + y1;
		const t2 = x2 + y2;
		const t3 = x3 + y3;
		k = Math.floor(t0 * t0 * INV22);
		k = Math.floor((2 * t0 * t1 + k) * INV21);
		k = Math.floor((2 * (t0 * t2 + t1 * t1) + k) * INV21);
		const s0 = 2 * t0 * t3 + 4 * t1 * t2 + k;
		const s1 = 2 * t1 * t3 + t2 * t2;
		const s2 = 2 * t2 * t3;
		const s3 = t3 * t3;
		// y = s − xx − yy + cy; x = xx − yy + cx; then renormalise
		y0 = s0 - xx0 - yy0 + cy0;
		y1 = s1 - xx1 - yy1 + cy1;
		y2 = s2 - xx2 - yy2 + cy2;
		y3 = s3 - xx3 - yy3 + cy3;
		let c = Math.floor(y0 * INV22);
		y0 -= c * P22;
		y1 += c;
		c = Math.floor(y1 * INV21);
		y1 -= c * P21;
		y2 += c;
		c = Math.floor(y2 * INV21);
		y2 -= c * P21;
		y3 += c;
		x0 = xx0 - yy0 + cx0;
		x1 = xx1 - yy1 + cx1;
		x2 = xx2 - yy2 + cx2;
		x3 = xx3 - yy3 + cx3;
		c = Math.floor(x0 * INV22);
		x0 -= c * P22;
		x1 += c;
		c = Math.floor(x1 * INV21);
		x1 -= c * P21;
		x2 += c;
		c = Math.floor(x2 * INV21);
		x2 -= c * P21;
		x3 += c;
	}
	return i;
}

/** Splits a fixed-point BigInt (F = 64) into normalised limbs [a0, a1, a2, a3] (22, 21, 21 bits; a3 signed). */
export function split64(v: bigint): [number, number, number, number] {
	return [Number(BigInt.asUintN(22, v)), Number(BigInt.asUintN(21, v >> 22n)), Number(BigInt.asUintN(21, v >> 43n)), Number(v >> 64n)];
}

// N = 6 (F = 80): four 20-bit limbs, X = a3·2^60 + a2·2^40 + a1·2^20 + a0, with a0..a2 ∈ [0, 2^21)
// (normalised, or the sum of two normalised values) and a3 signed, |a3| < 2^25. Every product is
// < 2^50 and every column sum < 2^53; the result floor(X²/2^80) comes out as three unnormalised
// limbs r0 + r1·2^20 + r2·2^40.

const P20 = 2 ** 20;
const INV20 = 2 ** -20;
/** 4·2^80 = 2^42 · 2^40: the escape threshold in units of the result's top limb. */
const FOUR_TOP = 2 ** 42;

/**
 * floor(X² / 2^80) for the limbs a[0..3] (bounds above); writes out[0] + out[1]·2^20 + out[2]·2^40.
 * Columns c_k of X² = Σ c_k·2^(20k); the low four only carry into the result:
 * floor((c0 + c1·2^20 + c2·2^40 + c3·2^60)/2^80) by four chained floors, exact because
 * floor((a + floor(b))/m) = floor((a + b)/m) for integers a, m.
 */
export function sq80(a: Float64Array, out: Float64Array): void {
	const a0 = a[0]!;
	const a1 = a[1]!;
	const a2 = a[2]!;
	const a3 = a[3]!;
	let k = Math.floor(a0 * a0 * INV20);
	k = Math.floor((2 * a0 * a1 + k) * INV20);
	k = Math.floor((2 * a0 * a2 + a1 * a1 + k) * INV20);
	k = Math.floor((2 * (a0 * a3 + a1 * a2) + k) * INV20);
	out[0] = 2 * a1 * a3 + a2 * a2 + k;
	out[1] = 2 * a2 * a3;
	out[2] = a3 * a3;
}

/**
 * Escape count for N = 6 (F = 80); c = [c0, c1, c2, c3] as from `split80` (normalised limbs).
 * sq80 is written out three times so the orbit stays in registers; x and y are renormalised
 * (three chained carries each) once per iteration.
 */
export function escapeCount80(cx0: number, cx1: number, cx2: number, cx3: number, cy0: number, cy1: number, cy2: number, cy3: number, maxIter: number): number {
	let x0 = 0;
	let x1 = 0;
	let x2 = 0;
	let x3 = 0;
	let y0 = 0;
	let y1 = 0;
	let y2 = 0;
	let y3 = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		// xx = sq80(x)
		let k = Math.floor(x0 * x0 * INV20);
		k = Math.floor((2 * x0 * x1 + k) * INV20);
		k = Math.floor((2 * x0 * x2 + x1 * x1 + k) * INV20);
		k = Math.floor((2 * (x0 * x3 + x1 * x2) + k) * INV20);
		const xx0 = 2 * x1 * x3 + x2 * x2 + k;
		const xx1 = 2 * x2 * x3;
		const xx2 = x3 * x3;
		// yy = sq80(y)
		k = Math.floor(y0 * y0 * INV20);
		k = Math.floor((2 * y0 * y1 + k) * INV20);
		k = Math.floor((2 * y0 * y2 + y1 * y1 + k) * INV20);
		k = Math.floor((2 * (y0 * y3 + y1 * y2) + k) * INV20);
		const yy0 = 2 * y1 * y3 + y2 * y2 + k;
		const yy1 = 2 * y2 * y3;
		const yy2 = y3 * y3;
		// xx + yy > 4·2^80, exactly: the inner sum is exact unless |it| ≥ 2^53, and then its
		// ·2^20 (≥ 2^73) dwarfs the low limb (< 2^49), so no rounding can change the sign.
		if (((xx2 + yy2 - FOUR_TOP) * P20 + (xx1 + yy1)) * P20 + (xx0 + yy0) > 0) break;
		// s = sq80(x + y)
		const t0 = x0 + y0;
		const t1 = x1 + y1;
		const t2 = x2 + y2;
		const t3 = x3 + y3;
		k = Math.floor(t0 * t0 * INV20);
		k = Math.floor((2 * t0 * t1 + k) * INV20);
		k = Math.floor((2 * t0 * t2 + t1 * t1 + k) * INV20);
		k = Math.floor((2 * (t0 * t3 + t1 * t2) + k) * INV20);
		const s0 = 2 * t1 * t3 + t2 * t2 + k;
		const s1 = 2 * t2 * t3;
		const s2 = t3 * t3;
		// y = s − xx − yy + cy; x = xx − yy + cx; then renormalise
		y0 = s0 - xx0 - yy0 + cy0;
		y1 = s1 - xx1 - yy1 + cy1;
		y2 = s2 - xx2 - yy2 + cy2;
		let c = Math.floor(y0 * INV20);
		y0 -= c * P20;
		y1 += c;
		c = Math.floor(y1 * INV20);
		y1 -= c * P20;
		y2 += c;
		c = Math.floor(y2 * INV20);
		y2 -= c * P20;
		y3 = cy3 + c;
		x0 = xx0 - yy0 + cx0;
		x1 = xx1 - yy1 + cx1;
		x2 = xx2 - yy2 + cx2;
		c = Math.floor(x0 * INV20);
		x0 -= c * P20;
		x1 += c;
		c = Math.floor(x1 * INV20);
		x1 -= c * P20;
		x2 += c;
		c = Math.floor(x2 * INV20);
		x2 -= c * P20;
		x3 = cx3 + c;
	}
	return i;
}

/** Splits a fixed-point BigInt into normalised 20-bit limbs [a0, a1, a2, a3] (a3 signed). */
export function split80(v: bigint): [number, number, number, number] {
	return [Number(BigInt.asUintN(20, v)), Number(BigInt.asUintN(20, v >> 20n)), Number(BigInt.asUintN(20, v >> 40n)), Number(v >> 60n)];
}

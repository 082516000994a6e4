// Fast exact path for 5 limbs (F = 64): a fixed-point integer X is held as two f64 integers,
// X = h·2^32 + l (h signed, l ≥ 0 and small), so every quantity below is an integer < 2^53 and
// exact. Products wider than 53 bits are split with the trick of cpu-f64.ts's sq32: Math.imul
// gives the low 32 bits exactly (ToInt32 reduces mod 2^32), the f64 product is off by far less
// than 2^31, so Math.round((p − low)·2^−32) is exactly floor(p / 2^32).
// Property tests (cpu-split.test.ts) prove it against the BigInt reference.

const P32 = 2 ** 32;
const INV32 = 2 ** -32;
/** 4·2^64 = 2^34 · 2^32: the escape threshold's high part. */
const FOUR_HI = 2 ** 34;

/**
 * floor(X² / 2^64) for X = h·2^32 + l, integers with |h| < 2^37 and 0 ≤ l < 2^34 (so |X| < 32
 * units, any unnormalised sum of two normalised values included). Writes the result as
 * out[0]·2^32 + out[1] with |out[1]| < 2^41 (not normalised: the escape test and the orbit update
 * take it as it is).
 *
 * With l² = q·2^32 + r (0 ≤ r < 2^32) and M = 2·h·l + q:
 *   X²/2^64 = h² + (2·h·l + l²/2^32)/2^32, so floor(X²/2^64) = h² + floor(M/2^32)
 * (r/2^32 < 1 cannot carry past the integer M). h² = th·2^32 + tl is split the same way.
 * Error of the f64 estimates before Math.round: h·h < 2^74 → < 2^21; 2·h·l + q < 2^72 → < 2^21;
 * l·l < 2^68 → < 2^16; all far below 2^31.
 */
export function sq64(h: number, l: number, out: Float64Array): void {
	const hi = h | 0;
	const li = l | 0;
	const r = Math.imul(li, li) >>> 0;
	const q = Math.round((l * l - r) * INV32);
	const mlo = (2 * Math.imul(hi, li) + q) >>> 0;
	const m = Math.round((2 * h * l + q - mlo) * INV32);
	const tl = Math.imul(hi, hi) >>> 0;
	out[0] = Math.round((h * h - tl) * INV32);
	out[1] = tl + m;
}

/**
 * Escape count for N = 5 (F = 64); (cxh, cxl) and (cyh, cyl) are the pixel constant split as
 * h·2^32 + l with 0 ≤ l < 2^32. x and y are renormalised (0 ≤ l < 2^32) once per iteration.
 * The body is sq64 written out three times (same statements, same proof), so the orbit stays in
 * registers.
 */
export function escapeCount64(cxh: number, cxl: number, cyh: number, cyl: number, maxIter: number): number {
	let xh = 0;
	let xl = 0;
	let yh = 0;
	let yl = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		// x2 = sq64(xh, xl)
		let hi = xh | 0;
		let li = xl | 0;
		let r = Math.imul(li, li) >>> 0;
		let q = Math.round((xl * xl - r) * INV32);
		let mlo = (2 * Math.imul(hi, li) + q) >>> 0;
		let m = Math.round((2 * xh * xl + q - mlo) * INV32);
		let tl = Math.imul(hi, hi) >>> 0;
		const x2h = Math.round((xh * xh - tl) * INV32);
		const x2l = tl + m;
		// y2 = sq64(yh, yl)
		hi = yh | 0;
		li = yl | 0;
		r = Math.imul(li, li) >>> 0;
		q = Math.round((yl * yl - r) * INV32);
		mlo = (2 * Math.imul(hi, li) + q) >>> 0;
		m = Math.round((2 * yh * yl + q - mlo) * INV32);
		tl = Math.imul(hi, hi) >>> 0;
		const y2h = Math.round((yh * yh - tl) * INV32);
		const y2l = tl + m;
		// x2 + y2 > 4·2^64, decided exactly: the integer (hi − 2^34)·2^32 is exact, and one
		// correctly rounded addition keeps the sign of the exact sum.
		if ((x2h + y2h - FOUR_HI) * P32 + (x2l + y2l) > 0) break;
		// s = sq64(x + y): |x + y| < 3 units here, and its low part < 2^33
		const th = xh + yh;
		const tt = xl + yl;
		hi = th | 0;
		li = tt | 0;
		r = Math.imul(li, li) >>> 0;
		q = Math.round((tt * tt - r) * INV32);
		mlo = (2 * Math.imul(hi, li) + q) >>> 0;
		m = Math.round((2 * th * tt + q - mlo) * INV32);
		tl = Math.imul(hi, hi) >>> 0;
		const sh = Math.round((th * th - tl) * INV32);
		const sl = tl + m;
		// y = s − x2 − y2 + cy; x = x2 − y2 + cx; then low parts back into [0, 2^32)
		yl = sl - x2l - y2l + cyl;
		yh = sh - x2h - y2h + cyh;
		let c = Math.floor(yl * INV32);
		yl -= c * P32;
		yh += c;
		xl = x2l - y2l + cxl;
		xh = x2h - y2h + cxh;
		c = Math.floor(xl * INV32);
		xl -= c * P32;
		xh += c;
	}
	return i;
}

/** Splits a fixed-point BigInt into [h, l] with X = h·2^32 + l, 0 ≤ l < 2^32. */
export function split32(v: bigint): [number, number] {
	return [Number(v >> 32n), Number(BigInt.asUintN(32, v))];
}

// N = 6 (F = 80): X held as four 20-bit limbs in f64, X = a3·2^60 + a2·2^40 + a1·2^20 + a0, with
// a0..a2 ∈ [0, 2^21) (normalised, or the sum of two normalised values) and a3 signed, |a3| < 2^25.
// Every product is < 2^50 and every column sum < 2^53, so all arithmetic is exact; the result
// floor(X²/2^80) comes out as three unnormalised limbs r0 + r1·2^20 + r2·2^40.

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
 * Escape count for N = 6 (F = 80); c = [c0, c1, c2, c3] as from `split20` (normalised limbs).
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
export function split20(v: bigint): [number, number, number, number] {
	return [Number(BigInt.asUintN(20, v)), Number(BigInt.asUintN(20, v >> 20n)), Number(BigInt.asUintN(20, v >> 40n)), Number(v >> 60n)];
}

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

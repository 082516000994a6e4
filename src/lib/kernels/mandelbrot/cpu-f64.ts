// Fast exact paths for 2, 3 and 4 limbs: the fixed-point integer X is held in one f64, exact
// while |X| < 2^53, and floor(X²/2^F) is formed from products that are themselves exact.
// Property tests (cpu-f64.test.ts) prove each against the BigInt reference.

const P16 = 65536;
const INV16 = 1 / 65536;
const INV32 = 2 ** -32;
const INV22 = 2 ** -22;
const P26 = 2 ** 26;
const INV26 = 2 ** -26;

/** N = 2, F = 16: |X| < 2^21 so X² < 2^42 is exact, and ·2^−16 then floor is exact. */
export function sq16(x: number): number {
	return Math.floor(x * x * INV16);
}

/**
 * N = 3, F = 32: |X| < 2^37. The low 32 bits of X² are exact through Math.imul (ToInt32 takes X
 * mod 2^32 exactly), so X² − (X² mod 2^32) is a multiple of 2^32; the f64 estimate of it is off
 * by < 2^22, i.e. < 2^−10 after scaling, and Math.round recovers floor(X²/2^32) exactly.
 */
export function sq32(x: number): number {
	const low = Math.imul(x | 0, x | 0) >>> 0;
	return Math.round((x * x - low) * INV32);
}

/**
 * N = 4, F = 48, with a = |X| = ah·2^26 + al:
 * floor(a²/2^48) = 16·ah² + floor((2·ah·al + floor(al²/2^26)) / 2^22).
 * Every term is exact for a < 2^52; the result is exact while it is < 2^53 (X² < 32 units). A larger
 * result may be rounded, but it stays ≥ 2^52 > 4·2^48, so the escape test decides the same way.
 * See escapeCount48.
 */
export function sq48(x: number): number {
	const a = Math.abs(x);
	const ah = Math.floor(a * INV26);
	const al = a - ah * P26;
	return 16 * ah * ah + Math.floor((2 * ah * al + Math.floor(al * al * INV26)) * INV22);
}

/** Escape count for N = 2 (cx, cy fixed point with F = 16, as f64 integers). */
export function escapeCount16(cx: number, cy: number, maxIter: number): number {
	const four = 4 * P16;
	let x = 0;
	let y = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		const x2 = Math.floor(x * x * INV16);
		const y2 = Math.floor(y * y * INV16);
		if (x2 + y2 > four) break;
		const t = x + y;
		const s = Math.floor(t * t * INV16);
		y = s - x2 - y2 + cy;
		x = x2 - y2 + cx;
	}
	return i;
}

/** Escape count for N = 3 (F = 32). */
export function escapeCount32(cx: number, cy: number, maxIter: number): number {
	const four = 4 * 2 ** 32;
	let x = 0;
	let y = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		const x2 = sq32(x);
		const y2 = sq32(y);
		if (x2 + y2 > four) break;
		const s = sq32(x + y);
		y = s - x2 - y2 + cy;
		x = x2 - y2 + cx;
	}
	return i;
}

/**
 * Escape count for N = 4 (F = 48). |x|, |y| < 8.5 units < 2^51.1 are exact in f64. x², y² ≥ 2^53
 * may be inexact, but then the true value exceeds 4·2^48 by far and both escape. s is only formed
 * after the escape test passed, so |x + y| ≤ 2.9 units and s < 2^52 is exact.
 */
export function escapeCount48(cx: number, cy: number, maxIter: number): number {
	const four = 4 * 2 ** 48;
	let x = 0;
	let y = 0;
	let i = 0;
	for (; i < maxIter; i++) {
		const x2 = sq48(x);
		const y2 = sq48(y);
		if (x2 + y2 > four) break;
		const s = sq48(x + y);
		y = s - x2 - y2 + cy;
		x = x2 - y2 + cx;
	}
	return i;
}

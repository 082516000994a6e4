// The general exact path, any N in 2..8: 16-bit limbs held in f64 (exact small integers), least
// significant first. Lower limbs are normalised to [0, 2^16); the top limb carries the sign.
// Column sums of 16×16-bit products stay below 2^36, far inside f64's 2^53.

const P16 = 65536;
const INV16 = 1 / 65536;

/** Scratch for one pixel's orbit, allocated once per tile. */
export interface LimbScratch {
	n: number;
	x: Float64Array;
	y: Float64Array;
	t: Float64Array;
	x2: Float64Array;
	y2: Float64Array;
	s: Float64Array;
	cx: Float64Array;
	cy: Float64Array;
}

export function limbScratch(n: number): LimbScratch {
	const f = (): Float64Array => new Float64Array(n);
	return { n, x: f(), y: f(), t: f(), x2: f(), y2: f(), s: f(), cx: f(), cy: f() };
}

/** Carries every lower limb into [0, 2^16); the top limb keeps the (signed) rest. */
export function normalise(a: Float64Array, n: number): void {
	let carry = 0;
	for (let k = 0; k < n - 1; k++) {
		const v = a[k]! + carry;
		carry = Math.floor(v * INV16);
		a[k] = v - carry * P16;
	}
	a[n - 1] = a[n - 1]! + carry;
}

/**
 * out = floor(a² / 2^(16(n−1))) for a normalised `a`; out is normalised. The squared value is
 * non-negative and below 2^15 units, so the signed top limb needs no wrap-around.
 */
export function squareLimbs(a: Float64Array, out: Float64Array, n: number): void {
	let carry = 0;
	const last = 2 * n - 2;
	for (let c = 0; c <= last; c++) {
		const lo = c < n ? 0 : c - n + 1;
		const hi = c < n ? c : n - 1;
		let col = 0;
		let i = lo;
		let j = hi;
		for (; i < j; i++, j--) col += 2 * a[i]! * a[j]!;
		if (i === j) col += a[i]! * a[i]!;
		const v = col + carry;
		if (c === last) {
			out[n - 1] = v;
			break;
		}
		carry = Math.floor(v * INV16);
		if (c >= n - 1) out[c - n + 1] = v - carry * P16;
	}
}

/** True when the normalised non-negative sum a + b exceeds 4 units. */
function exceedsFour(a: Float64Array, b: Float64Array, t: Float64Array, n: number): boolean {
	for (let k = 0; k < n; k++) t[k] = a[k]! + b[k]!;
	normalise(t, n);
	if (t[n - 1]! !== 4) return t[n - 1]! > 4;
	for (let k = 0; k < n - 1; k++) if (t[k]! !== 0) return true;
	return false;
}

/** Escape count of one pixel; sc.cx and sc.cy hold the normalised pixel constant. */
export function escapeCountLimbs(sc: LimbScratch, maxIter: number): number {
	const { n, x, y, t, x2, y2, s, cx, cy } = sc;
	x.fill(0);
	y.fill(0);
	let i = 0;
	for (; i < maxIter; i++) {
		squareLimbs(x, x2, n);
		squareLimbs(y, y2, n);
		if (exceedsFour(x2, y2, t, n)) break;
		for (let k = 0; k < n; k++) t[k] = x[k]! + y[k]!;
		normalise(t, n);
		squareLimbs(t, s, n);
		for (let k = 0; k < n; k++) {
			y[k] = s[k]! - x2[k]! - y2[k]! + cy[k]!;
			x[k] = x2[k]! - y2[k]! + cx[k]!;
		}
		normalise(y, n);
		normalise(x, n);
	}
	return i;
}

/** Writes the normalised limbs of a fixed-point BigInt into `out`. */
export function setLimbs(v: bigint, out: Float64Array, n: number): void {
	let u = v;
	for (let k = 0; k < n - 1; k++) {
		out[k] = Number(BigInt.asUintN(16, u));
		u >>= 16n;
	}
	out[n - 1] = Number(u);
}

// WGSL source of the GPU kernel for N limbs. Integer-only: 16-bit limbs held in u32, two's
// complement over 16·N bits, exactly the arithmetic of reference.ts (see README.md).
import { LIMBS_MAX, LIMBS_MIN } from './view';

export const WORKGROUP_X = 64;

/** Params buffer (array<u32>): [w, h, maxIter, rowStart, x0[N], y0[N], step[N]]. */
export const PARAMS_HEADER_WORDS = 4;
export const ROW_START_WORD = 3;
export function paramsWords(limbs: number): number {
	return PARAMS_HEADER_WORDS + 3 * limbs;
}

/** The shader for `limbs` limbs; N is a compile-time constant so the loops can unroll. */
export function mandelbrotWgsl(limbs: number): string {
	if (!Number.isInteger(limbs) || limbs < LIMBS_MIN || limbs > LIMBS_MAX) throw new RangeError(`limbs must be ${LIMBS_MIN}..${LIMBS_MAX}`);
	return /* wgsl */ `
const N: u32 = ${limbs}u;
alias Fx = array<u32, ${limbs}>;

@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;

fn add(a_in: Fx, b_in: Fx) -> Fx {
	var a = a_in; var b = b_in; var r: Fx; var carry = 0u;
	for (var k = 0u; k < N; k++) { let s = a[k] + b[k] + carry; r[k] = s & 0xffffu; carry = s >> 16u; }
	return r;
}

// a − b = a + ~b + 1 (mod 2^(16N)).
fn sub(a_in: Fx, b_in: Fx) -> Fx {
	var a = a_in; var b = b_in; var r: Fx; var carry = 1u;
	for (var k = 0u; k < N; k++) { let s = a[k] + (b[k] ^ 0xffffu) + carry; r[k] = s & 0xffffu; carry = s >> 16u; }
	return r;
}

// a · m for a pixel index m < 256 (tiles are at most 256 wide): each limb product < 2^24.
fn mul_small(a_in: Fx, m: u32) -> Fx {
	var a = a_in; var r: Fx; var carry = 0u;
	for (var k = 0u; k < N; k++) { let s = a[k] * m + carry; r[k] = s & 0xffffu; carry = s >> 16u; }
	return r;
}

// floor(X² / 2^(16(N−1))): square the magnitude, keep the top N limbs of the 2N-limb product.
// Column sums are split into low and high 16-bit halves so nothing overflows u32.
fn sq(a_in: Fx) -> Fx {
	var a = a_in;
	if ((a[N - 1u] & 0x8000u) != 0u) { a = sub(Fx(), a); }
	var r: Fx;
	var carry = 0u;
	for (var c = 0u; c <= 2u * N - 2u; c++) {
		var lo = 0u; var hi = 0u;
		let i0 = select(0u, c - (N - 1u), c >= N);
		for (var i = i0; 2u * i <= c; i++) {
			let p = a[i] * a[c - i];
			let twice = select(1u, 2u, 2u * i != c);
			lo += (p & 0xffffu) * twice;
			hi += (p >> 16u) * twice;
		}
		let t = lo + carry;
		if (c >= N - 1u) { r[c - (N - 1u)] = t & 0xffffu; }
		carry = (t >> 16u) + hi;
	}
	return r;
}

// e > 4 units, for a non-negative e (its top limb is the integer part).
fn above_four(e_in: Fx) -> bool {
	var e = e_in;
	if (e[N - 1u] != 4u) { return e[N - 1u] > 4u; }
	var rest = 0u;
	for (var k = 0u; k < N - 1u; k++) { rest |= e[k]; }
	return rest != 0u;
}

@compute @workgroup_size(${WORKGROUP_X}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
	let w = P[0]; let h = P[1]; let max_iter = P[2];
	let px = gid.x;
	let py = P[${ROW_START_WORD}] + gid.y;
	if (px >= w || py >= h) { return; }
	var x0: Fx; var y0: Fx; var step: Fx;
	for (var k = 0u; k < N; k++) {
		x0[k] = P[${PARAMS_HEADER_WORDS}u + k];
		y0[k] = P[${PARAMS_HEADER_WORDS}u + N + k];
		step[k] = P[${PARAMS_HEADER_WORDS}u + 2u * N + k];
	}
	let cx = add(x0, mul_small(step, px));
	let cy = sub(y0, mul_small(step, py));
	var x: Fx; var y: Fx;
	var i = 0u;
	loop {
		if (i >= max_iter) { break; }
		let x2 = sq(x);
		let y2 = sq(y);
		if (above_four(add(x2, y2))) { break; }
		let s = sq(add(x, y));
		y = add(sub(sub(s, x2), y2), cy); // 2xy + cy
		x = add(sub(x2, y2), cx);
		i++;
	}
	OUT[py * w + px] = i;
}
`;
}

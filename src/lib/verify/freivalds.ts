// Freivalds' check of a claimed matrix product C = A·B in O(n²) instead of O(n³): for random
// sign vectors r drawn after C is committed, compare A(Br) with Cr row by row. Pure, so the
// requester's browser, the client API and a trusted referee run the same decision.
//
// Tolerance. An honest float32 product (any summation order, tiled or not) has elementwise
// error |C_ij − (AB)_ij| ≤ γ_k (|A||B|)_ij with γ_k = k·u / (1 − k·u), u = 2⁻²⁴, k the
// reduction length. With r_j = ±1, |(Cr − ABr)_i| ≤ γ_k (|A|(|B|·1))_i, so row i's bound
// tol_i = SLACK · (γ_k · (|A|(|B|·1))_i + 2·k·n·η) never fails an honest result (SLACK covers the check's
// own float64 rounding; η = 2⁻¹²⁶ bounds the absolute error of each product or sum near zero,
// where relative bounds fail: underflow, and GPUs that flush subnormals to zero). Detection: if some element has |C_ij − (AB)_ij| > tol_i, flipping r_j
// moves (Cr)_i − (ABr)_i by more than 2·tol_i, so at most one of the two signs passes row i:
// each round passes with probability ≤ ½, and ROUNDS rounds with ≤ 2⁻ROUNDS.
import { sha256 } from '@noble/hashes/sha2.js';

/** Rounds of the check: a result with an element outside tolerance passes all with p ≤ 2⁻³². */
const FREIVALDS_ROUNDS = 32;
/** float32 unit roundoff. */
const U32 = 2 ** -24;
/** The absolute error of one float32 operation near zero, flushing subnormals (2⁻¹²⁶). */
const ETA32 = 2 ** -126;
/** Covers the float64 evaluation of the check itself (relative error ~k·2⁻⁵³, far below this). */
const SLACK = 1.01;

/** A row-major matrix of float32 values. */
export interface Matrix {
	rows: number;
	cols: number;
	data: Float32Array;
}

export interface FreivaldsOutcome {
	ok: boolean;
	rounds: number;
	/** The largest |A(Br) − Cr| / tol over every row and round: ≤ 1 passes. */
	worstRatio: number;
	/** The first failing row (and round), when one failed. */
	failed?: { row: number; round: number; residual: number; tolerance: number };
}

/** γ_k: the worst-case relative error of a float32 dot product of length k. */
export function gamma(k: number): number {
	const ku = k * U32;
	if (ku >= 1) throw new RangeError(`a reduction of length ${k} is too long for a float32 error bound`);
	return ku / (1 - ku);
}

function checkShapes(a: Matrix, b: Matrix, c: Matrix): void {
	for (const [name, m] of [['A', a], ['B', b], ['C', c]] as const) {
		if (m.data.length !== m.rows * m.cols) throw new RangeError(`${name} holds ${m.data.length} values, not ${m.rows}×${m.cols}`);
	}
	if (a.cols !== b.rows) throw new RangeError(`A is ${a.rows}×${a.cols} and B is ${b.rows}×${b.cols}: inner sizes differ`);
	if (c.rows !== a.rows || c.cols !== b.cols) throw new RangeError(`C is ${c.rows}×${c.cols}, A·B is ${a.rows}×${b.cols}`);
}

/** y = M·x (float64 accumulation); `abs` uses |M|. */
function matVec(m: Matrix, x: Float64Array, abs = false): Float64Array {
	const y = new Float64Array(m.rows);
	for (let i = 0; i < m.rows; i++) {
		let s = 0;
		const row = i * m.cols;
		for (let j = 0; j < m.cols; j++) s += (abs ? Math.abs(m.data[row + j]!) : m.data[row + j]!) * x[j]!;
		y[i] = s;
	}
	return y;
}

/** `count` signs of ±1 for one round, expanded from the seed by SHA-256 in counter mode. */
function signs(seed: Uint8Array, round: number, count: number): Float64Array {
	const out = new Float64Array(count);
	const input = new Uint8Array(seed.length + 8);
	input.set(seed);
	const view = new DataView(input.buffer);
	view.setUint32(seed.length, round);
	for (let block = 0; block * 256 < count; block++) {
		view.setUint32(seed.length + 4, block);
		const bits = sha256(input);
		for (let b = 0; b < 256 && block * 256 + b < count; b++) out[block * 256 + b] = (bits[b >> 3]! >> (b & 7)) & 1 ? 1 : -1;
	}
	return out;
}

/**
 * Checks C against A·B with `rounds` sign vectors drawn from `seed`. The seed must be drawn
 * after C is committed (by the checker, never the worker), or a worker could aim its lie.
 */
export function freivaldsCheck(a: Matrix, b: Matrix, c: Matrix, seed: Uint8Array, rounds = FREIVALDS_ROUNDS): FreivaldsOutcome {
	checkShapes(a, b, c);
	if (seed.length < 16) throw new RangeError('the check needs a seed of at least 16 random bytes');
	const g = gamma(a.cols);
	const nearZero = 2 * a.cols * b.cols * ETA32;
	const bound = matVec(a, matVec(b, new Float64Array(b.cols).fill(1), true), true);
	let worstRatio = 0;
	for (let round = 0; round < rounds; round++) {
		const r = signs(seed, round, b.cols);
		const abr = matVec(a, matVec(b, r));
		const cr = matVec(c, r);
		for (let i = 0; i < c.rows; i++) {
			const residual = Math.abs(abr[i]! - cr[i]!);
			const tolerance = SLACK * (g * bound[i]! + nearZero);
			const ratio = residual / tolerance; // NaN (a NaN or infinite value anywhere) never passes
			if (!(ratio <= 1)) return { ok: false, rounds: round + 1, worstRatio: Number.isNaN(ratio) ? Infinity : ratio, failed: { row: i, round, residual, tolerance } };
			worstRatio = Math.max(worstRatio, ratio);
		}
	}
	return { ok: true, rounds, worstRatio };
}

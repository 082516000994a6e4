// Central finite differences for gradient checks, shared by the node and browser suites: the
// loss is a weighted sum of an op's outputs, so every output element contributes.
import { seededRng } from '../../train/rng';

export interface GradMismatch {
	index: number;
	analytic: number;
	numeric: number;
}

/**
 * Compares analytic[i] with (f(x+h) − f(x−h)) / 2h for `samples` indices of x chosen from a
 * seed; returns the mismatches beyond |a − n| ≤ atol + rtol·|n|.
 */
export function checkGradient(
	f: () => number,
	x: Float32Array,
	analytic: Float32Array,
	{ samples = 24, h = 1e-2, atol = 2e-3, rtol = 5e-2, seed = 1 } = {}
): GradMismatch[] {
	const rng = seededRng(seed);
	const out: GradMismatch[] = [];
	const n = Math.min(samples, x.length);
	for (let s = 0; s < n; s++) {
		const i = samples >= x.length ? s : Math.floor(rng() * x.length);
		const keep = x[i]!;
		x[i] = keep + h;
		const up = f();
		x[i] = keep - h;
		const down = f();
		x[i] = keep;
		const numeric = (up - down) / (2 * h);
		const a = analytic[i]!;
		if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) out.push({ index: i, analytic: a, numeric });
	}
	return out;
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
	const rng = seededRng(seed);
	return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
}

/** Σ w·y in float64, the scalar the op checks differentiate. */
export function weightedSum(y: Float32Array, w: Float32Array): number {
	let s = 0;
	for (let i = 0; i < y.length; i++) s += y[i]! * w[i]!;
	return s;
}

// Layer normalisation over the last dimension, the CPU twin of layer-norm.wgsl. The forward
// pass keeps each row's mean and reciprocal deviation for the backward pass.

export const LAYER_NORM_EPS = 1e-5;

export interface LayerNormCache {
	xhat: Float32Array;
	rstd: Float32Array;
}

export function layerNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, n: number, d: number): LayerNormCache {
	const xhat = new Float32Array(n * d);
	const rstd = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const o = i * d;
		let mean = 0;
		for (let j = 0; j < d; j++) mean += x[o + j]!;
		mean /= d;
		let v = 0;
		for (let j = 0; j < d; j++) {
			const c = x[o + j]! - mean;
			v += c * c;
		}
		const r = 1 / Math.sqrt(v / d + LAYER_NORM_EPS);
		rstd[i] = r;
		for (let j = 0; j < d; j++) {
			const h = (x[o + j]! - mean) * r;
			xhat[o + j] = h;
			y[o + j] = h * gamma[j]! + beta[j]!;
		}
	}
	return { xhat, rstd };
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ and dβ accumulate when given. */
export function layerNormBackward(
	dy: Float32Array,
	cache: LayerNormCache,
	gamma: Float32Array,
	dx: Float32Array,
	n: number,
	d: number,
	dGamma: Float32Array | null,
	dBeta: Float32Array | null
): void {
	const { xhat, rstd } = cache;
	for (let i = 0; i < n; i++) {
		const o = i * d;
		let mg = 0;
		let mgx = 0;
		for (let j = 0; j < d; j++) {
			const g = dy[o + j]! * gamma[j]!;
			mg += g;
			mgx += g * xhat[o + j]!;
		}
		mg /= d;
		mgx /= d;
		const r = rstd[i]!;
		for (let j = 0; j < d; j++) {
			const g = dy[o + j]! * gamma[j]!;
			dx[o + j] = r * (g - mg - xhat[o + j]! * mgx);
			if (dGamma) dGamma[j]! += dy[o + j]! * xhat[o + j]!;
			if (dBeta) dBeta[j]! += dy[o + j]!;
		}
	}
}

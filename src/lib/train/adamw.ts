// AdamW (decoupled weight decay) over a flat parameter vector: the inner optimiser of local
// training. Its moments stay on the device that trains; they are never sent.

export interface AdamWConfig {
	lr: number;
	beta1: number;
	beta2: number;
	eps: number;
	weightDecay: number;
	/** Gradients are scaled down to this global L2 norm when larger (0: no clipping). */
	clipNorm: number;
}

const ADAMW_DEFAULTS: AdamWConfig = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };

export class AdamW {
	readonly m: Float32Array;
	readonly v: Float32Array;
	step = 0;

	constructor(
		size: number,
		readonly cfg: AdamWConfig = ADAMW_DEFAULTS
	) {
		this.m = new Float32Array(size);
		this.v = new Float32Array(size);
	}

	/** One update of `params` in place from `grad`; `lr` overrides the configured rate (schedules). Returns the gradient norm before clipping. */
	update(params: Float32Array, grad: Float32Array, lr = this.cfg.lr): number {
		if (params.length !== this.m.length || grad.length !== this.m.length) throw new RangeError('AdamW: size mismatch');
		const { beta1, beta2, eps, weightDecay, clipNorm } = this.cfg;
		let sq = 0;
		for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
		const norm = Math.sqrt(sq);
		if (!Number.isFinite(norm)) throw new Error('AdamW: the gradient is not finite');
		const clip = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
		this.step++;
		const c1 = 1 - beta1 ** this.step;
		const c2 = 1 - beta2 ** this.step;
		for (let i = 0; i < params.length; i++) {
			const g = grad[i]! * clip;
			const m = (this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g);
			const v = (this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g);
			params[i] = params[i]! * (1 - lr * weightDecay) - (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
		}
		return norm;
	}
}

// DiLoCo's outer step on the host: the averaged delta is a pseudo-gradient (its negative),
// applied with Nesterov momentum. DiLoCo uses learning rate 0.7 and momentum 0.9 over hundreds
// of rounds; a classroom session has tens, with one to a few peers, and there momentum mostly
// carries one round's noise into the next. With the shipped corpus folded and shuffled,
// `npm run bench -- training` (4 peers, 8 rounds of 16 steps) measured momentum 0 at 1.008× the
// single device's loss against 1.006× for 0.5, but with one or two peers of 8–16 steps a round
// momentum 0.5 let the validation loss rise after round 2 while 0 kept it falling, so the
// default is lr 1 and no momentum (the averaged delta taken as it is).

export interface OuterConfig {
	lr: number;
	momentum: number;
}

export const OUTER_DEFAULTS: OuterConfig = { lr: 1, momentum: 0 };

export class NesterovOuter {
	readonly velocity: Float32Array;

	constructor(
		size: number,
		readonly cfg: OuterConfig = OUTER_DEFAULTS
	) {
		this.velocity = new Float32Array(size);
	}

	/** θ ← θ − lr·(g + μ·v) with v ← μ·v + g and g = −Δ̄. */
	step(params: Float32Array, averagedDelta: Float32Array): void {
		if (params.length !== this.velocity.length || averagedDelta.length !== params.length) throw new RangeError('outer step: size mismatch');
		const { lr, momentum } = this.cfg;
		for (let i = 0; i < params.length; i++) {
			const g = -averagedDelta[i]!;
			const v = (this.velocity[i] = momentum * this.velocity[i]! + g);
			params[i] = params[i]! - lr * (g + momentum * v);
		}
	}
}

/** Σ wᵢ·δᵢ / Σ wᵢ (weights: tokens each peer trained on). */
export function weightedAverage(deltas: readonly { delta: Float32Array; weight: number }[], size: number): Float32Array {
	const out = new Float32Array(size);
	const total = deltas.reduce((s, d) => s + d.weight, 0);
	if (!(total > 0)) return out;
	for (const { delta, weight } of deltas) {
		if (delta.length !== size) throw new RangeError('average: size mismatch');
		const w = weight / total;
		for (let i = 0; i < size; i++) out[i]! += w * delta[i]!;
	}
	return out;
}

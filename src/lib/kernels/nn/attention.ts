// Causal multi-head self-attention, the CPU twin of attention.wgsl. q, k, v and the output are
// (batch·T)×d row-major with heads side by side in d; a query sees only its own and earlier
// positions. The forward pass keeps the attention weights P (batch×heads×T×T) for backward.

export interface AttentionShape {
	batch: number;
	t: number;
	d: number;
	heads: number;
}

export function attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, s: AttentionShape): Float32Array {
	const { batch, t, d, heads } = s;
	const dh = d / heads;
	if (!Number.isInteger(dh)) throw new RangeError(`attention: d ${d} is not a multiple of ${heads} heads`);
	const scale = 1 / Math.sqrt(dh);
	const p = new Float32Array(batch * heads * t * t);
	out.fill(0, 0, batch * t * d);
	for (let b = 0; b < batch; b++) {
		for (let h = 0; h < heads; h++) {
			const base = (b * heads + h) * t * t;
			for (let i = 0; i < t; i++) {
				const qi = (b * t + i) * d + h * dh;
				let max = -Infinity;
				for (let j = 0; j <= i; j++) {
					const kj = (b * t + j) * d + h * dh;
					let sum = 0;
					for (let c = 0; c < dh; c++) sum += q[qi + c]! * k[kj + c]!;
					const sc = sum * scale;
					p[base + i * t + j] = sc;
					if (sc > max) max = sc;
				}
				let z = 0;
				for (let j = 0; j <= i; j++) {
					const e = Math.exp(p[base + i * t + j]! - max);
					p[base + i * t + j] = e;
					z += e;
				}
				const oi = (b * t + i) * d + h * dh;
				for (let j = 0; j <= i; j++) {
					const w = p[base + i * t + j]! / z;
					p[base + i * t + j] = w;
					const vj = (b * t + j) * d + h * dh;
					for (let c = 0; c < dh; c++) out[oi + c]! += w * v[vj + c]!;
				}
			}
		}
	}
	return p;
}

/**
 * dP = dO·vᵀ, dv = Pᵀ·dO, dS = P⊙(dP − Σ dP⊙P), dq = dS·k/√dh, dk = dSᵀ·q/√dh.
 * dq, dk and dv are overwritten.
 */
export function attentionBackward(
	q: Float32Array,
	k: Float32Array,
	v: Float32Array,
	p: Float32Array,
	dOut: Float32Array,
	dq: Float32Array,
	dk: Float32Array,
	dv: Float32Array,
	s: AttentionShape
): void {
	const { batch, t, d, heads } = s;
	const dh = d / heads;
	const scale = 1 / Math.sqrt(dh);
	dq.fill(0, 0, batch * t * d);
	dk.fill(0, 0, batch * t * d);
	dv.fill(0, 0, batch * t * d);
	const dp = new Float32Array(t);
	for (let b = 0; b < batch; b++) {
		for (let h = 0; h < heads; h++) {
			const base = (b * heads + h) * t * t;
			for (let i = 0; i < t; i++) {
				const oi = (b * t + i) * d + h * dh;
				let dot = 0;
				for (let j = 0; j <= i; j++) {
					const vj = (b * t + j) * d + h * dh;
					const w = p[base + i * t + j]!;
					let sum = 0;
					for (let c = 0; c < dh; c++) {
						sum += dOut[oi + c]! * v[vj + c]!;
						dv[vj + c]! += w * dOut[oi + c]!;
					}
					dp[j] = sum;
					dot += sum * w;
				}
				for (let j = 0; j <= i; j++) {
					const ds = p[base + i * t + j]! * (dp[j]! - dot) * scale;
					if (ds === 0) continue;
					const kj = (b * t + j) * d + h * dh;
					for (let c = 0; c < dh; c++) {
						dq[oi + c]! += ds * k[kj + c]!;
						dk[kj + c]! += ds * q[oi + c]!;
					}
				}
			}
		}
	}
}

// Each CPU twin's backward pass against central finite differences of its forward pass.
import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from './attention';
import { crossEntropy } from './cross-entropy';
import { checkGradient, randomArray, weightedSum } from './finite-difference';
import { geluBackward, geluForward } from './gelu';
import { layerNormBackward, layerNormForward } from './layer-norm';
import { matmul } from './matmul';

describe('CPU twin gradients match finite differences', () => {
	it('matmul in all four transpose forms equals the naive product', () => {
		const [n, k, m] = [3, 5, 4];
		const a = randomArray(n * k, 1);
		const b = randomArray(k * m, 2);
		const ref = new Float32Array(n * m);
		for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) ref[i * m + j]! += a[i * k + p]! * b[p * m + j]!;
		const tA = new Float32Array(k * n);
		for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) tA[p * n + i] = a[i * k + p]!;
		const tB = new Float32Array(m * k);
		for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) tB[j * k + p] = b[p * m + j]!;
		for (const [x, y, transA, transB] of [[a, b, false, false], [tA, b, true, false], [a, tB, false, true], [tA, tB, true, true]] as const) {
			const c = matmul(x, y, new Float32Array(n * m), { n, k, m, transA, transB });
			for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(ref[i]!, 5);
		}
	});

	it('layer norm: dx, dγ, dβ', () => {
		const [n, d] = [4, 6];
		const x = randomArray(n * d, 3, 2);
		const g = randomArray(d, 4);
		const b = randomArray(d, 5);
		const w = randomArray(n * d, 6);
		const f = () => {
			const y = new Float32Array(n * d);
			layerNormForward(x, g, b, y, n, d);
			return weightedSum(y, w);
		};
		const cache = layerNormForward(x, g, b, new Float32Array(n * d), n, d);
		const dx = new Float32Array(n * d);
		const dg = new Float32Array(d);
		const db = new Float32Array(d);
		layerNormBackward(w, cache, g, dx, n, d, dg, db);
		expect(checkGradient(f, x, dx, { samples: n * d })).toEqual([]);
		expect(checkGradient(f, g, dg, { samples: d })).toEqual([]);
		expect(checkGradient(f, b, db, { samples: d })).toEqual([]);
	});

	it('GELU', () => {
		const x = randomArray(40, 7, 3);
		const w = randomArray(40, 8);
		const f = () => {
			const y = new Float32Array(40);
			geluForward(x, y);
			return weightedSum(y, w);
		};
		const dx = new Float32Array(40);
		geluBackward(x, w, dx);
		expect(checkGradient(f, x, dx, { samples: 40 })).toEqual([]);
	});

	it('causal attention: dq, dk, dv, and no position sees a later one', () => {
		const s = { batch: 2, t: 5, d: 8, heads: 2 };
		const len = s.batch * s.t * s.d;
		const q = randomArray(len, 9);
		const k = randomArray(len, 10);
		const v = randomArray(len, 11);
		const w = randomArray(len, 12);
		const f = () => {
			const o = new Float32Array(len);
			attentionForward(q, k, v, o, s);
			return weightedSum(o, w);
		};
		const out = new Float32Array(len);
		const p = attentionForward(q, k, v, out, s);
		const [dq, dk, dv] = [new Float32Array(len), new Float32Array(len), new Float32Array(len)];
		attentionBackward(q, k, v, p, w, dq, dk, dv, s);
		expect(checkGradient(f, q, dq, { samples: len })).toEqual([]);
		expect(checkGradient(f, k, dk, { samples: len })).toEqual([]);
		expect(checkGradient(f, v, dv, { samples: len })).toEqual([]);
		// Changing the last position's key and value leaves every earlier output unchanged.
		const k2 = k.slice();
		const v2 = v.slice();
		for (let c = 0; c < s.d; c++) {
			k2[(s.t - 1) * s.d + c] = 5;
			v2[(s.t - 1) * s.d + c] = -5;
		}
		const out2 = new Float32Array(len);
		attentionForward(q, k2, v2, out2, s);
		expect(Array.from(out2.subarray(0, (s.t - 1) * s.d))).toEqual(Array.from(out.subarray(0, (s.t - 1) * s.d)));
	});

	it('cross-entropy: loss of uniform logits is ln V, gradient matches', () => {
		const [n, vocab] = [3, 7];
		expect(crossEntropy(new Float32Array(n * vocab), [0, 3, 6], n, vocab, null)).toBeCloseTo(Math.log(vocab), 6);
		const logits = randomArray(n * vocab, 13, 3);
		const targets = [1, 4, 6];
		const d = new Float32Array(n * vocab);
		crossEntropy(logits, targets, n, vocab, d);
		expect(checkGradient(() => crossEntropy(logits, targets, n, vocab, null), logits, d, { samples: n * vocab })).toEqual([]);
	});
});

// Forward and backward passes of the character transformer on the CPU twins. The base weights
// are frozen during fine-tuning (gradients only for the LoRA adapter); pretraining asks for
// base gradients too. Every buffer is sized from the batch, nothing is kept between calls.
import { attentionBackward, attentionForward } from '../kernels/nn/attention';
import { crossEntropy } from '../kernels/nn/cross-entropy';
import { geluBackward, geluForward } from '../kernels/nn/gelu';
import { layerNormBackward, layerNormForward, type LayerNormCache } from '../kernels/nn/layer-norm';
import { addBias, biasGrad, matmul } from '../kernels/nn/matmul';
import { adaptedWeights, baseLayout, loraLayout, loraScale, type ModelConfig } from './model-config';
import { tensor, viewsOf } from './param-layout';

/** batch sequences of t tokens each (t ≤ context), row-major; targets are the next tokens. */
export interface Batch {
	tokens: Uint8Array;
	targets: Uint8Array;
	batch: number;
	t: number;
}

export interface GradBuffers {
	/** Same layout as the base weights; accumulated into when given. */
	base?: Float32Array;
	/** Same layout as the adapter; accumulated into when given. */
	lora?: Float32Array;
}

interface Linear {
	w: Float32Array;
	bias: Float32Array | null;
	a: Float32Array | null;
	b: Float32Array | null;
	inDim: number;
	outDim: number;
	grad: { w: Float32Array | null; bias: Float32Array | null; a: Float32Array | null; b: Float32Array | null };
}

interface LinearCache {
	x: Float32Array;
	u: Float32Array | null;
}

interface Model {
	cfg: ModelConfig;
	scale: number;
	tok: Float32Array;
	pos: Float32Array;
	layers: {
		ln1: [Float32Array, Float32Array];
		ln2: [Float32Array, Float32Array];
		dLn1: [Float32Array | null, Float32Array | null];
		dLn2: [Float32Array | null, Float32Array | null];
		wq: Linear;
		wk: Linear;
		wv: Linear;
		wo: Linear;
		w1: Linear;
		w2: Linear;
	}[];
	lnf: [Float32Array, Float32Array];
	dLnf: [Float32Array | null, Float32Array | null];
	head: Linear;
	dTok: Float32Array | null;
	dPos: Float32Array | null;
}

function bind(cfg: ModelConfig, base: Float32Array, lora: Float32Array | null, grads: GradBuffers | null): Model {
	const bv = viewsOf(baseLayout(cfg), base);
	const lv = lora ? viewsOf(loraLayout(cfg), lora) : null;
	const gb = grads?.base ? viewsOf(baseLayout(cfg), grads.base) : null;
	const gl = grads?.lora && lora ? viewsOf(loraLayout(cfg), grads.lora) : null;
	const opt = (m: Map<string, Float32Array> | null, name: string) => (m ? tensor(m, name) : null);
	const layers = [];
	for (let l = 0; l < cfg.layers; l++) {
		const lin = (name: string, bias: string | null, inDim: number, outDim: number): Linear => ({
			w: tensor(bv, `l${l}.${name}`),
			bias: bias ? tensor(bv, `l${l}.${bias}`) : null,
			a: opt(lv, `l${l}.${name}.a`),
			b: opt(lv, `l${l}.${name}.b`),
			inDim,
			outDim,
			grad: { w: opt(gb, `l${l}.${name}`), bias: bias ? opt(gb, `l${l}.${bias}`) : null, a: opt(gl, `l${l}.${name}.a`), b: opt(gl, `l${l}.${name}.b`) }
		});
		const dims = new Map(adaptedWeights(cfg).map((w) => [w.name, w]));
		const w = (name: 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2', bias: string | null) => lin(name, bias, dims.get(name)!.inDim, dims.get(name)!.outDim);
		layers.push({
			ln1: [tensor(bv, `l${l}.ln1.g`), tensor(bv, `l${l}.ln1.b`)] as [Float32Array, Float32Array],
			ln2: [tensor(bv, `l${l}.ln2.g`), tensor(bv, `l${l}.ln2.b`)] as [Float32Array, Float32Array],
			dLn1: [opt(gb, `l${l}.ln1.g`), opt(gb, `l${l}.ln1.b`)] as [Float32Array | null, Float32Array | null],
			dLn2: [opt(gb, `l${l}.ln2.g`), opt(gb, `l${l}.ln2.b`)] as [Float32Array | null, Float32Array | null],
			wq: w('wq', null),
			wk: w('wk', null),
			wv: w('wv', null),
			wo: w('wo', null),
			w1: w('w1', 'b1'),
			w2: w('w2', 'b2')
		});
	}
	return {
		cfg,
		scale: loraScale(cfg),
		tok: tensor(bv, 'tok'),
		pos: tensor(bv, 'pos'),
		layers,
		lnf: [tensor(bv, 'lnf.g'), tensor(bv, 'lnf.b')],
		dLnf: [opt(gb, 'lnf.g'), opt(gb, 'lnf.b')],
		head: {
			w: tensor(bv, 'head'),
			bias: tensor(bv, 'head.b'),
			a: null,
			b: null,
			inDim: cfg.dModel,
			outDim: cfg.vocab,
			grad: { w: opt(gb, 'head'), bias: opt(gb, 'head.b'), a: null, b: null }
		},
		dTok: opt(gb, 'tok'),
		dPos: opt(gb, 'pos')
	};
}

function linearForward(m: Model, lin: Linear, x: Float32Array, n: number): { y: Float32Array; cache: LinearCache } {
	const y = matmul(x, lin.w, new Float32Array(n * lin.outDim), { n, k: lin.inDim, m: lin.outDim });
	if (lin.bias) addBias(y, lin.bias, n, lin.outDim);
	let u: Float32Array | null = null;
	if (lin.a && lin.b) {
		const r = m.cfg.loraRank;
		u = matmul(x, lin.a, new Float32Array(n * r), { n, k: lin.inDim, m: r });
		const us = u.map((v) => v * m.scale);
		matmul(us, lin.b, y, { n, k: r, m: lin.outDim, accumulate: true });
	}
	return { y, cache: { x, u } };
}

function linearBackward(m: Model, lin: Linear, c: LinearCache, dy: Float32Array, n: number, needDx: boolean): Float32Array | null {
	const { inDim, outDim } = lin;
	const g = lin.grad;
	if (g.w) matmul(c.x, dy, g.w, { n: inDim, k: n, m: outDim, transA: true, accumulate: true });
	if (g.bias) biasGrad(dy, g.bias, n, outDim);
	const dx = needDx ? matmul(dy, lin.w, new Float32Array(n * inDim), { n, k: outDim, m: inDim, transB: true }) : null;
	if (lin.a && lin.b && c.u) {
		const r = m.cfg.loraRank;
		if (g.b) matmul(c.u.map((v) => v * m.scale), dy, g.b, { n: r, k: n, m: outDim, transA: true, accumulate: true });
		const du = matmul(dy, lin.b, new Float32Array(n * r), { n, k: outDim, m: r, transB: true });
		for (let i = 0; i < du.length; i++) du[i]! *= m.scale;
		if (g.a) matmul(c.x, du, g.a, { n: inDim, k: n, m: r, transA: true, accumulate: true });
		if (dx) matmul(du, lin.a, dx, { n, k: r, m: inDim, transB: true, accumulate: true });
	}
	return dx;
}

interface LayerCache {
	ln1: LayerNormCache;
	q: LinearCache;
	k: LinearCache;
	v: LinearCache;
	qv: Float32Array;
	kv: Float32Array;
	vv: Float32Array;
	p: Float32Array;
	o: LinearCache;
	ln2: LayerNormCache;
	w1: LinearCache;
	h: Float32Array;
	w2: LinearCache;
}

/** Runs the model; returns the logits ((batch·t)×vocab) and what backward needs. */
function forward(m: Model, tokens: Uint8Array, batch: number, t: number) {
	const { dModel: d, heads, vocab } = m.cfg;
	if (t > m.cfg.context) throw new RangeError(`sequence of ${t} tokens is longer than the context of ${m.cfg.context}`);
	const n = batch * t;
	if (tokens.length !== n) throw new RangeError(`expected ${n} tokens, got ${tokens.length}`);
	let x = new Float32Array(n * d);
	for (let i = 0; i < n; i++) {
		const tk = tokens[i]!;
		if (tk >= vocab) throw new RangeError(`token ${tk} outside the vocabulary`);
		const p = i % t;
		for (let j = 0; j < d; j++) x[i * d + j] = m.tok[tk * d + j]! + m.pos[p * d + j]!;
	}
	const caches: LayerCache[] = [];
	const shape = { batch, t, d, heads };
	for (const L of m.layers) {
		const a = new Float32Array(n * d);
		const ln1 = layerNormForward(x, L.ln1[0], L.ln1[1], a, n, d);
		const q = linearForward(m, L.wq, a, n);
		const k = linearForward(m, L.wk, a, n);
		const v = linearForward(m, L.wv, a, n);
		const att = new Float32Array(n * d);
		const p = attentionForward(q.y, k.y, v.y, att, shape);
		const o = linearForward(m, L.wo, att, n);
		const x2 = new Float32Array(n * d);
		for (let i = 0; i < x2.length; i++) x2[i] = x[i]! + o.y[i]!;
		const b = new Float32Array(n * d);
		const ln2 = layerNormForward(x2, L.ln2[0], L.ln2[1], b, n, d);
		const w1 = linearForward(m, L.w1, b, n);
		const g = new Float32Array(w1.y.length);
		geluForward(w1.y, g);
		const w2 = linearForward(m, L.w2, g, n);
		const x3 = new Float32Array(n * d);
		for (let i = 0; i < x3.length; i++) x3[i] = x2[i]! + w2.y[i]!;
		caches.push({ ln1, q: q.cache, k: k.cache, v: v.cache, qv: q.y, kv: k.y, vv: v.y, p, o: o.cache, ln2, w1: w1.cache, h: w1.y, w2: w2.cache });
		x = x3;
	}
	const xf = new Float32Array(n * d);
	const lnf = layerNormForward(x, m.lnf[0], m.lnf[1], xf, n, d);
	const head = linearForward(m, m.head, xf, n);
	return { logits: head.y, caches, lnf, head: head.cache, n };
}

/**
 * Mean next-token cross-entropy of the batch; with `grads`, accumulates its gradient with
 * respect to the adapter (and the base weights when `grads.base` is given).
 */
export function lossAndGrad(cfg: ModelConfig, base: Float32Array, lora: Float32Array | null, batch: Batch, grads: GradBuffers | null = null): number {
	const m = bind(cfg, base, lora, grads);
	const { logits, caches, lnf, head, n } = forward(m, batch.tokens, batch.batch, batch.t);
	const { dModel: d, heads, vocab } = cfg;
	if (batch.targets.length !== n) throw new RangeError(`expected ${n} targets, got ${batch.targets.length}`);
	const dLogits = grads ? new Float32Array(n * vocab) : null;
	const loss = crossEntropy(logits, batch.targets, n, vocab, dLogits);
	if (!grads || !dLogits) return loss;
	const dxf = linearBackward(m, m.head, head, dLogits, n, true)!;
	let dx = new Float32Array(n * d);
	layerNormBackward(dxf, lnf, m.lnf[0], dx, n, d, m.dLnf[0], m.dLnf[1]);
	const shape = { batch: batch.batch, t: batch.t, d, heads };
	for (let l = cfg.layers - 1; l >= 0; l--) {
		const L = m.layers[l]!;
		const c = caches[l]!;
		const dg = linearBackward(m, L.w2, c.w2, dx, n, true)!;
		const dh = new Float32Array(dg.length);
		geluBackward(c.h, dg, dh);
		const db = linearBackward(m, L.w1, c.w1, dh, n, true)!;
		const dx2 = new Float32Array(n * d);
		layerNormBackward(db, c.ln2, L.ln2[0], dx2, n, d, L.dLn2[0], L.dLn2[1]);
		for (let i = 0; i < dx2.length; i++) dx2[i]! += dx[i]!;
		const dAtt = linearBackward(m, L.wo, c.o, dx2, n, true)!;
		const dq = new Float32Array(n * d);
		const dk = new Float32Array(n * d);
		const dv = new Float32Array(n * d);
		attentionBackward(c.qv, c.kv, c.vv, c.p, dAtt, dq, dk, dv, shape);
		const da = linearBackward(m, L.wq, c.q, dq, n, true)!;
		const dak = linearBackward(m, L.wk, c.k, dk, n, true)!;
		const dav = linearBackward(m, L.wv, c.v, dv, n, true)!;
		for (let i = 0; i < da.length; i++) da[i]! += dak[i]! + dav[i]!;
		const dxl = new Float32Array(n * d);
		layerNormBackward(da, c.ln1, L.ln1[0], dxl, n, d, L.dLn1[0], L.dLn1[1]);
		for (let i = 0; i < dxl.length; i++) dxl[i]! += dx2[i]!;
		dx = dxl;
	}
	if (m.dTok && m.dPos) {
		for (let i = 0; i < n; i++) {
			const tk = batch.tokens[i]!;
			const p = i % batch.t;
			for (let j = 0; j < d; j++) {
				m.dTok[tk * d + j]! += dx[i * d + j]!;
				m.dPos[p * d + j]! += dx[i * d + j]!;
			}
		}
	}
	return loss;
}

/** Logits for the last position of one sequence (for sampling text). */
export function nextTokenLogits(cfg: ModelConfig, base: Float32Array, lora: Float32Array | null, tokens: Uint8Array): Float32Array {
	const t = Math.min(tokens.length, cfg.context);
	const window = tokens.subarray(tokens.length - t);
	const m = bind(cfg, base, lora, null);
	const { logits } = forward(m, window, 1, t);
	return logits.slice((t - 1) * cfg.vocab, t * cfg.vocab);
}

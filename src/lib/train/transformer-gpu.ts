// The character transformer's loss and adapter gradient on WebGPU, composed from the WGSL ops in
// kernels/nn (the same graph as transformer.ts, which stays the reference and the fallback).
// Base weights are uploaded once; each call uploads the adapter and the batch, runs forward and
// backward with every activation on the GPU, and reads the loss rows and the adapter gradient
// back in one map. Only the adapter's gradient is computed (fine-tuning); pretraining uses the CPU.
import { NnGpu } from '../kernels/nn/nn-gpu';
import { adaptedWeights, baseLayout, loraLayout, loraScale, type ModelConfig } from './model-config';
import { tensor, viewsOf } from './param-layout';
import type { Batch } from './transformer';

type WeightName = 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2';

interface LayerBuffers {
	ln1g: GPUBuffer;
	ln1b: GPUBuffer;
	ln2g: GPUBuffer;
	ln2b: GPUBuffer;
	b1: GPUBuffer;
	b2: GPUBuffer;
	w: Record<WeightName, GPUBuffer>;
	/** The adapter: A, and B already multiplied by the LoRA scale (so no scaling pass is needed). */
	a: Record<WeightName, GPUBuffer>;
	bScaled: Record<WeightName, GPUBuffer>;
}

interface LinearRun {
	x: GPUBuffer;
	u: GPUBuffer;
}

export class TransformerGpu {
	private readonly layers: LayerBuffers[] = [];
	private readonly dims: Map<WeightName, { inDim: number; outDim: number }>;
	private readonly lnf: [GPUBuffer, GPUBuffer];
	private readonly head: GPUBuffer;
	private readonly headBias: GPUBuffer;
	private readonly tok: Float32Array;
	private readonly pos: Float32Array;
	private scratch: GPUBuffer[] = [];

	private constructor(
		private readonly nn: NnGpu,
		readonly cfg: ModelConfig,
		base: Float32Array
	) {
		const bv = viewsOf(baseLayout(cfg), base);
		const up = (name: string) => nn.buffer(tensor(bv, name));
		this.dims = new Map(adaptedWeights(cfg).map((w) => [w.name, w]));
		const r = cfg.loraRank;
		for (let l = 0; l < cfg.layers; l++) {
			const w = {} as Record<WeightName, GPUBuffer>;
			const a = {} as Record<WeightName, GPUBuffer>;
			const b = {} as Record<WeightName, GPUBuffer>;
			for (const [name, d] of this.dims) {
				w[name] = up(`l${l}.${name}`);
				a[name] = nn.buffer(d.inDim * r);
				b[name] = nn.buffer(r * d.outDim);
			}
			this.layers.push({ ln1g: up(`l${l}.ln1.g`), ln1b: up(`l${l}.ln1.b`), ln2g: up(`l${l}.ln2.g`), ln2b: up(`l${l}.ln2.b`), b1: up(`l${l}.b1`), b2: up(`l${l}.b2`), w, a, bScaled: b });
		}
		this.lnf = [up('lnf.g'), up('lnf.b')];
		this.head = up('head');
		this.headBias = up('head.b');
		this.tok = tensor(bv, 'tok').slice();
		this.pos = tensor(bv, 'pos').slice();
	}

	/**
	 * A GPU model on `device` (or this browser's adapter); null when there is no WebGPU adapter,
	 * or when `hardwareOnly` and the adapter is a software one (SwiftShader: a training step
	 * there measured 60× slower than the CPU twins, so it is never worth a trial).
	 */
	static async open(cfg: ModelConfig, base: Float32Array, opts: { device?: GPUDevice; hardwareOnly?: boolean } = {}): Promise<TransformerGpu | null> {
		let device = opts.device;
		if (!device) {
			const adapter = typeof navigator !== 'undefined' && navigator.gpu ? await navigator.gpu.requestAdapter() : null;
			if (!adapter) return null;
			if (opts.hardwareOnly && isSoftwareAdapter(adapter.info)) return null;
			device = await adapter.requestDevice();
		}
		return new TransformerGpu(new NnGpu(device), cfg, base);
	}

	get device(): GPUDevice {
		return this.nn.device;
	}

	/** Mean next-token cross-entropy; with `grad`, the adapter's gradient is added into it. */
	async lossAndGrad(lora: Float32Array, batch: Batch, grad: Float32Array | null = null): Promise<number> {
		const { cfg, nn } = this;
		const { dModel: d, heads, vocab, mlp, loraRank: r } = cfg;
		const { t } = batch;
		const n = batch.batch * t;
		if (t > cfg.context) throw new RangeError(`sequence of ${t} tokens is longer than the context of ${cfg.context}`);
		if (batch.tokens.length !== n || batch.targets.length !== n) throw new RangeError(`expected ${n} tokens and targets`);
		this.uploadAdapter(lora);
		const buf = (len: number) => {
			const b = nn.buffer(len);
			this.scratch.push(b);
			return b;
		};
		const x0 = new Float32Array(n * d);
		for (let i = 0; i < n; i++) {
			const tk = batch.tokens[i]!;
			if (tk >= vocab) throw new RangeError(`token ${tk} outside the vocabulary`);
			for (let j = 0; j < d; j++) x0[i * d + j] = this.tok[tk * d + j]! + this.pos[(i % t) * d + j]!;
		}
		const shape = { batch: batch.batch, t, d, heads };
		const linear = (L: LayerBuffers, name: WeightName, x: GPUBuffer, y: GPUBuffer, accumulate: boolean): LinearRun => {
			const { inDim, outDim } = this.dims.get(name)!;
			nn.matmul(x, L.w[name], y, { n, k: inDim, m: outDim, accumulate });
			const u = buf(n * r);
			nn.matmul(x, L.a[name], u, { n, k: inDim, m: r });
			nn.matmul(u, L.bScaled[name], y, { n, k: r, m: outDim, accumulate: true });
			return { x, u };
		};
		// Forward, keeping what backward needs.
		let x = this.track(nn.buffer(x0));
		const caches = [];
		for (const L of this.layers) {
			const a = buf(n * d);
			const xhat1 = buf(n * d);
			const rstd1 = buf(n);
			nn.layerNorm(x, L.ln1g, L.ln1b, a, xhat1, rstd1, n, d);
			const [q, k, v] = [buf(n * d), buf(n * d), buf(n * d)];
			const lq = linear(L, 'wq', a, q, false);
			const lk = linear(L, 'wk', a, k, false);
			const lv = linear(L, 'wv', a, v, false);
			const p = buf(batch.batch * heads * t * t);
			const att = buf(n * d);
			nn.attention(q, k, v, p, att, shape);
			const x2 = buf(n * d);
			nn.copy(x, x2, n * d);
			const lo = linear(L, 'wo', att, x2, true);
			const b = buf(n * d);
			const xhat2 = buf(n * d);
			const rstd2 = buf(n);
			nn.layerNorm(x2, L.ln2g, L.ln2b, b, xhat2, rstd2, n, d);
			const h = buf(n * mlp);
			const l1 = linear(L, 'w1', b, h, false);
			nn.addBias(h, L.b1, n, mlp);
			const g = buf(n * mlp);
			nn.gelu(h, g, n * mlp);
			const x3 = buf(n * d);
			nn.copy(x2, x3, n * d);
			const l2 = linear(L, 'w2', g, x3, true);
			nn.addBias(x3, L.b2, n, d);
			caches.push({ xhat1, rstd1, q, k, v, p, lq, lk, lv, lo, xhat2, rstd2, h, l1, l2 });
			x = x3;
		}
		const xf = buf(n * d);
		const xhatf = buf(n * d);
		const rstdf = buf(n);
		nn.layerNorm(x, this.lnf[0], this.lnf[1], xf, xhatf, rstdf, n, d);
		const logits = buf(n * vocab);
		nn.matmul(xf, this.head, logits, { n, k: d, m: vocab });
		nn.addBias(logits, this.headBias, n, vocab);
		const lossRows = buf(n);
		const dLogits = buf(n * vocab);
		nn.crossEntropy(logits, this.track(nn.buffer(Uint32Array.from(batch.targets))), lossRows, dLogits, n, vocab);
		if (!grad) {
			const [rows] = await nn.readMany([{ buf: lossRows, length: n }]);
			this.release();
			return mean(rows!);
		}

		// Backward: adapter gradients into per-tensor buffers, read back together at the end.
		const gradBufs: { buf: GPUBuffer; length: number; offset: number; scale: number }[] = [];
		const layout = loraLayout(cfg);
		const slot = (name: string) => layout.tensors.find((s) => s.name === name)!;
		const linearBack = (l: number, L: LayerBuffers, name: WeightName, run: LinearRun, dy: GPUBuffer, dx: GPUBuffer, accumulateDx: boolean) => {
			const { inDim, outDim } = this.dims.get(name)!;
			nn.matmul(dy, L.w[name], dx, { n, k: outDim, m: inDim, transB: true, accumulate: accumulateDx });
			// dB = scale · uᵀ dy (scaled on the CPU after read-back); du = dy (scale·B)ᵀ.
			const gB = buf(r * outDim);
			nn.matmul(run.u, dy, gB, { n: r, k: n, m: outDim, transA: true });
			const du = buf(n * r);
			nn.matmul(dy, L.bScaled[name], du, { n, k: outDim, m: r, transB: true });
			const gA = buf(inDim * r);
			nn.matmul(run.x, du, gA, { n: inDim, k: n, m: r, transA: true });
			nn.matmul(du, L.a[name], dx, { n, k: r, m: inDim, transB: true, accumulate: true });
			const sa = slot(`l${l}.${name}.a`);
			const sb = slot(`l${l}.${name}.b`);
			gradBufs.push({ buf: gA, length: sa.size, offset: sa.offset, scale: 1 }, { buf: gB, length: sb.size, offset: sb.offset, scale: loraScale(cfg) });
		};
		const dxf = buf(n * d);
		nn.matmul(dLogits, this.head, dxf, { n, k: vocab, m: d, transB: true });
		let dx = buf(n * d);
		nn.layerNormBackward(dxf, this.lnf[0], xhatf, rstdf, dx, n, d, null);
		for (let l = cfg.layers - 1; l >= 0; l--) {
			const L = this.layers[l]!;
			const c = caches[l]!;
			const dg = buf(n * mlp);
			linearBack(l, L, 'w2', c.l2, dx, dg, false);
			const dh = buf(n * mlp);
			nn.geluBackward(c.h, dg, dh, n * mlp);
			const db = buf(n * d);
			linearBack(l, L, 'w1', c.l1, dh, db, false);
			const dx2 = buf(n * d);
			nn.layerNormBackward(db, L.ln2g, c.xhat2, c.rstd2, dx2, n, d, null);
			nn.add(dx, dx2, n * d);
			const dAtt = buf(n * d);
			linearBack(l, L, 'wo', c.lo, dx2, dAtt, false);
			const [dq, dk, dv] = [buf(n * d), buf(n * d), buf(n * d)];
			nn.attentionBackward(c.q, c.k, c.v, c.p, dAtt, buf(batch.batch * heads * t * t), dq, dk, dv, shape);
			const da = buf(n * d);
			linearBack(l, L, 'wq', c.lq, dq, da, false);
			linearBack(l, L, 'wk', c.lk, dk, da, true);
			linearBack(l, L, 'wv', c.lv, dv, da, true);
			const dxl = buf(n * d);
			nn.layerNormBackward(da, L.ln1g, c.xhat1, c.rstd1, dxl, n, d, null);
			nn.add(dx2, dxl, n * d);
			dx = dxl;
		}
		const [rows, ...parts] = await nn.readMany([{ buf: lossRows, length: n }, ...gradBufs]);
		gradBufs.forEach((g, i) => {
			const part = parts[i]!;
			for (let j = 0; j < g.length; j++) grad[g.offset + j]! += part[j]! * g.scale;
		});
		this.release();
		return mean(rows!);
	}

	destroy(): void {
		this.release();
		this.nn.device.destroy();
	}

	private uploadAdapter(lora: Float32Array): void {
		const lv = viewsOf(loraLayout(this.cfg), lora);
		const scale = loraScale(this.cfg);
		this.layers.forEach((L, l) => {
			for (const name of this.dims.keys()) {
				const a = tensor(lv, `l${l}.${name}.a`);
				const b = tensor(lv, `l${l}.${name}.b`).map((v) => v * scale);
				this.nn.device.queue.writeBuffer(L.a[name], 0, a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);
				this.nn.device.queue.writeBuffer(L.bScaled[name], 0, b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
			}
		});
	}

	private track(b: GPUBuffer): GPUBuffer {
		this.scratch.push(b);
		return b;
	}

	/** Frees a call's activations (its passes have run: the read-back waited for them). */
	private release(): void {
		for (const b of this.scratch) b.destroy();
		this.scratch = [];
	}
}

/** SwiftShader or another CPU fallback behind WebGPU. */
function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
	const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
	return fallback || /swiftshader|llvmpipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

function mean(xs: Float32Array): number {
	let s = 0;
	for (const x of xs) s += x;
	return s / xs.length;
}

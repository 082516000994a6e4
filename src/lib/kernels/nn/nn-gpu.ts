// Runs the WGSL twins on a GPUDevice over GPU-resident buffers: each call encodes one pass and
// submits it (the queue keeps them in order), so a forward or backward pass is a sequence of
// calls with no read-back until the caller asks. Pipelines compile once per device.
import { ATTENTION_WORKGROUP, attentionBackwardColsWgsl, attentionBackwardRowsWgsl, attentionForwardWgsl } from './attention-wgsl';
import type { AttentionShape } from './attention';
import { CROSS_ENTROPY_WORKGROUP, crossEntropyWgsl } from './cross-entropy-wgsl';
import { addWgsl, biasWgsl, ELEMENTWISE_WORKGROUP, geluBackwardWgsl, geluForwardWgsl } from './elementwise-wgsl';
import { LAYER_NORM_WORKGROUP, layerNormBackwardWgsl, layerNormForwardWgsl, layerNormParamsWgsl } from './layer-norm-wgsl';
import type { MatmulShape } from './matmul';
import { MATMUL_TILE, matmulWgsl } from './matmul-wgsl';

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const groups = (n: number, per: number) => Math.max(1, Math.ceil(n / per));

export class NnGpu {
	private readonly pipelines = new Map<string, GPUComputePipeline>();
	/** Uniform buffers of submitted passes, freed on the next read (their passes have run by then). */
	private spent: GPUBuffer[] = [];

	constructor(readonly device: GPUDevice) {}

	private pipeline(key: string, code: string, entryPoint = 'main'): GPUComputePipeline {
		let p = this.pipelines.get(`${key}:${entryPoint}`);
		if (!p) {
			p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module: this.device.createShaderModule({ label: key, code }), entryPoint } });
			this.pipelines.set(`${key}:${entryPoint}`, p);
		}
		return p;
	}

	private run(pipe: GPUComputePipeline, dims: number[], buffers: GPUBuffer[], workgroups: [number, number?]): void {
		const uniform = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
		this.device.queue.writeBuffer(uniform, 0, new Uint32Array([dims[0] ?? 0, dims[1] ?? 0, dims[2] ?? 0, dims[3] ?? 0]));
		this.spent.push(uniform);
		const bind = this.device.createBindGroup({
			layout: pipe.getBindGroupLayout(0),
			entries: [uniform, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } }))
		});
		const enc = this.device.createCommandEncoder();
		const pass = enc.beginComputePass();
		pass.setPipeline(pipe);
		pass.setBindGroup(0, bind);
		pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1);
		pass.end();
		this.device.queue.submit([enc.finish()]);
	}

	/** A storage buffer holding `data`, or `size` zeros (at least 4 bytes: WebGPU has no empty bindings). */
	buffer(data: Float32Array | Uint32Array | number): GPUBuffer {
		const bytes = typeof data === 'number' ? data * 4 : data.byteLength;
		const buf = this.device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: STORAGE });
		if (typeof data !== 'number') this.device.queue.writeBuffer(buf, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
		return buf;
	}

	async read(buf: GPUBuffer, length: number): Promise<Float32Array> {
		return (await this.readMany([{ buf, length }]))[0]!;
	}

	/** Reads several buffers with one map: one round trip to the GPU instead of one per buffer. */
	async readMany(parts: readonly { buf: GPUBuffer; length: number }[]): Promise<Float32Array[]> {
		const total = parts.reduce((s, p) => s + p.length, 0);
		const staging = this.device.createBuffer({ size: Math.max(4, total * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
		const enc = this.device.createCommandEncoder();
		let offset = 0;
		for (const p of parts) {
			enc.copyBufferToBuffer(p.buf, 0, staging, offset * 4, p.length * 4);
			offset += p.length;
		}
		this.device.queue.submit([enc.finish()]);
		await staging.mapAsync(GPUMapMode.READ);
		const all = new Float32Array(staging.getMappedRange().slice(0, total * 4));
		staging.destroy();
		for (const u of this.spent) u.destroy();
		this.spent = [];
		offset = 0;
		return parts.map((p) => all.subarray(offset, (offset += p.length)));
	}

	/** Copies the first `length` floats of src into dst. */
	copy(src: GPUBuffer, dst: GPUBuffer, length: number): void {
		const enc = this.device.createCommandEncoder();
		enc.copyBufferToBuffer(src, 0, dst, 0, length * 4);
		this.device.queue.submit([enc.finish()]);
	}

	/** y += x over `len` floats. */
	add(x: GPUBuffer, y: GPUBuffer, len: number): void {
		this.run(this.pipeline('add', addWgsl), [len], [x, y], [groups(len, ELEMENTWISE_WORKGROUP)]);
	}

	matmul(a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, s: MatmulShape): void {
		const flags = (s.transA ? 1 : 0) | (s.transB ? 2 : 0) | (s.accumulate ? 4 : 0);
		this.run(this.pipeline('matmul', matmulWgsl), [s.n, s.k, s.m, flags], [a, b, c], [groups(s.m, MATMUL_TILE), groups(s.n, MATMUL_TILE)]);
	}

	addBias(x: GPUBuffer, bias: GPUBuffer, n: number, m: number): void {
		this.run(this.pipeline('bias', biasWgsl, 'add'), [n, m], [x, bias], [groups(n * m, ELEMENTWISE_WORKGROUP)]);
	}

	biasGrad(dy: GPUBuffer, dBias: GPUBuffer, n: number, m: number): void {
		this.run(this.pipeline('bias', biasWgsl, 'grad'), [n, m], [dy, dBias], [groups(m, ELEMENTWISE_WORKGROUP)]);
	}

	gelu(x: GPUBuffer, y: GPUBuffer, len: number): void {
		this.run(this.pipeline('gelu', geluForwardWgsl), [len], [x, y], [groups(len, ELEMENTWISE_WORKGROUP)]);
	}

	geluBackward(x: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer, len: number): void {
		this.run(this.pipeline('gelu-backward', geluBackwardWgsl), [len], [x, dy, dx], [groups(len, ELEMENTWISE_WORKGROUP)]);
	}

	/** Forward: y, plus x̂ and 1/σ for backward. */
	layerNorm(x: GPUBuffer, gamma: GPUBuffer, beta: GPUBuffer, y: GPUBuffer, xhat: GPUBuffer, rstd: GPUBuffer, n: number, d: number): void {
		this.run(this.pipeline('layer-norm', layerNormForwardWgsl), [n, d], [x, gamma, beta, y, xhat, rstd], [groups(n, LAYER_NORM_WORKGROUP)]);
	}

	/** dx from dy; with dGammaBeta (2·d: dγ then dβ) the parameter gradients accumulate too. */
	layerNormBackward(dy: GPUBuffer, gamma: GPUBuffer, xhat: GPUBuffer, rstd: GPUBuffer, dx: GPUBuffer, n: number, d: number, dGammaBeta: GPUBuffer | null): void {
		this.run(this.pipeline('layer-norm-backward', layerNormBackwardWgsl), [n, d], [dy, gamma, xhat, rstd, dx], [groups(n, LAYER_NORM_WORKGROUP)]);
		if (dGammaBeta) this.run(this.pipeline('layer-norm-params', layerNormParamsWgsl), [n, d], [dy, xhat, dGammaBeta], [groups(d, LAYER_NORM_WORKGROUP)]);
	}

	attention(q: GPUBuffer, k: GPUBuffer, v: GPUBuffer, p: GPUBuffer, out: GPUBuffer, s: AttentionShape): void {
		this.run(this.pipeline('attention', attentionForwardWgsl), [s.batch, s.t, s.d, s.heads], [q, k, v, p, out], [groups(s.batch * s.heads * s.t, ATTENTION_WORKGROUP)]);
	}

	/** dq, dk, dv from dOut; `ds` is scratch of the size of P. */
	attentionBackward(q: GPUBuffer, k: GPUBuffer, v: GPUBuffer, p: GPUBuffer, dOut: GPUBuffer, ds: GPUBuffer, dq: GPUBuffer, dk: GPUBuffer, dv: GPUBuffer, s: AttentionShape): void {
		const rows = groups(s.batch * s.heads * s.t, ATTENTION_WORKGROUP);
		const dims = [s.batch, s.t, s.d, s.heads];
		this.run(this.pipeline('attention-rows', attentionBackwardRowsWgsl), dims, [k, v, p, dOut, ds, dq], [rows]);
		this.run(this.pipeline('attention-cols', attentionBackwardColsWgsl), dims, [q, p, dOut, ds, dk, dv], [rows]);
	}

	/** Per-row losses into `loss` (n) and the gradient into dLogits; the mean loss is their average. */
	crossEntropy(logits: GPUBuffer, targets: GPUBuffer, loss: GPUBuffer, dLogits: GPUBuffer, n: number, vocab: number): void {
		this.run(this.pipeline('cross-entropy', crossEntropyWgsl), [n, vocab], [logits, targets, loss, dLogits], [groups(n, CROSS_ENTROPY_WORKGROUP)]);
	}
}

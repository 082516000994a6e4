// The WGSL twins against the CPU twins in real Chromium (--enable-unsafe-webgpu, SwiftShader):
// every forward and backward op on shapes that include partial tiles and workgroups, then the
// WGSL backward passes against finite differences of the WGSL forward passes. Never skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestGpu, type GpuHandle } from '../gpu-device';
import { attentionBackward, attentionForward } from './attention';
import { crossEntropy } from './cross-entropy';
import { randomArray, weightedSum } from './finite-difference';
import { geluBackward, geluForward } from './gelu';
import { layerNormBackward, layerNormForward } from './layer-norm';
import { addBias, biasGrad, matmul } from './matmul';
import { NnGpu } from './nn-gpu';

let gpu: GpuHandle;
let nn: NnGpu;

beforeAll(async () => {
	const handle = await requestGpu();
	if (!handle) throw new Error('WebGPU unavailable: navigator.gpu.requestAdapter() gave no adapter. The parity suite needs Chromium with --enable-unsafe-webgpu (SwiftShader); it is never skipped.');
	gpu = handle;
	nn = new NnGpu(gpu.device);
});

afterAll(() => gpu?.device.destroy());

/** Float32 sums in a different order differ in the last bits: compare relative to the largest value. */
function expectClose(actual: Float32Array, expected: Float32Array, tol = 1e-5): void {
	expect(actual.length).toBe(expected.length);
	let scale = 1e-6;
	for (const v of expected) scale = Math.max(scale, Math.abs(v));
	let worst = 0;
	for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
	expect(worst / scale).toBeLessThan(tol);
}

describe('NN ops: WGSL vs CPU twin', () => {
	it.each([
		{ n: 37, k: 19, m: 23, transA: false, transB: false },
		{ n: 37, k: 19, m: 23, transA: true, transB: false },
		{ n: 37, k: 19, m: 23, transA: false, transB: true },
		{ n: 16, k: 64, m: 96, transA: true, transB: true },
		{ n: 128, k: 64, m: 256, transA: false, transB: false }
	])('matmul $n×$k·$k×$m transA=$transA transB=$transB, overwrite and accumulate', async (s) => {
		const a = randomArray(s.n * s.k, 1);
		const b = randomArray(s.k * s.m, 2);
		const c0 = randomArray(s.n * s.m, 3);
		for (const accumulate of [false, true]) {
			const cpu = matmul(a, b, c0.slice(), { ...s, accumulate });
			const cBuf = nn.buffer(c0);
			nn.matmul(nn.buffer(a), nn.buffer(b), cBuf, { ...s, accumulate });
			expectClose(await nn.read(cBuf, s.n * s.m), cpu);
		}
	});

	it('bias add and bias gradient', async () => {
		const [n, m] = [33, 70];
		const x = randomArray(n * m, 4);
		const bias = randomArray(m, 5);
		const cpu = x.slice();
		addBias(cpu, bias, n, m);
		const xBuf = nn.buffer(x);
		nn.addBias(xBuf, nn.buffer(bias), n, m);
		expectClose(await nn.read(xBuf, n * m), cpu);
		const db = randomArray(m, 6);
		const cpuDb = db.slice();
		biasGrad(x, cpuDb, n, m);
		const dbBuf = nn.buffer(db);
		nn.biasGrad(nn.buffer(x), dbBuf, n, m);
		expectClose(await nn.read(dbBuf, m), cpuDb);
	});

	it('elementwise add, copy, and reading several buffers in one map', async () => {
		const len = 1000;
		const x = randomArray(len, 9);
		const y = randomArray(len, 10);
		const [xb, yb, cb] = [nn.buffer(x), nn.buffer(y), nn.buffer(len)];
		nn.copy(yb, cb, len);
		nn.add(xb, yb, len);
		const [sum, copied, head] = await nn.readMany([
			{ buf: yb, length: len },
			{ buf: cb, length: len },
			{ buf: xb, length: 3 }
		]);
		expectClose(sum!, x.map((v, i) => v + y[i]!), 1e-7);
		expect([...copied!]).toEqual([...y]);
		expect([...head!]).toEqual([...x.subarray(0, 3)]);
	});

	it('GELU forward and backward', async () => {
		const len = 1000;
		const x = randomArray(len, 7, 4);
		const dy = randomArray(len, 8);
		const y = new Float32Array(len);
		const dx = new Float32Array(len);
		geluForward(x, y);
		geluBackward(x, dy, dx);
		const [xb, yb, dyb, dxb] = [nn.buffer(x), nn.buffer(len), nn.buffer(dy), nn.buffer(len)];
		nn.gelu(xb, yb, len);
		nn.geluBackward(xb, dyb, dxb, len);
		expectClose(await nn.read(yb, len), y);
		expectClose(await nn.read(dxb, len), dx);
	});

	it('layer norm forward, backward, dγ and dβ', async () => {
		const [n, d] = [70, 64];
		const x = randomArray(n * d, 9, 3);
		const g = randomArray(d, 10);
		const b = randomArray(d, 11);
		const dy = randomArray(n * d, 12);
		const y = new Float32Array(n * d);
		const cache = layerNormForward(x, g, b, y, n, d);
		const dx = new Float32Array(n * d);
		const dg = new Float32Array(d);
		const dbeta = new Float32Array(d);
		layerNormBackward(dy, cache, g, dx, n, d, dg, dbeta);
		const [yb, xhb, rb, dxb, dgbb] = [nn.buffer(n * d), nn.buffer(n * d), nn.buffer(n), nn.buffer(n * d), nn.buffer(2 * d)];
		const gb = nn.buffer(g);
		nn.layerNorm(nn.buffer(x), gb, nn.buffer(b), yb, xhb, rb, n, d);
		nn.layerNormBackward(nn.buffer(dy), gb, xhb, rb, dxb, n, d, dgbb);
		expectClose(await nn.read(yb, n * d), y);
		expectClose(await nn.read(dxb, n * d), dx, 1e-4);
		const dgb = await nn.read(dgbb, 2 * d);
		expectClose(dgb.slice(0, d), dg, 1e-4);
		expectClose(dgb.slice(d), dbeta, 1e-4);
	});

	it.each([
		{ batch: 2, t: 7, d: 8, heads: 2 },
		{ batch: 3, t: 64, d: 64, heads: 4 }
	])('causal attention forward and backward, batch $batch t $t d $d heads $heads', async (s) => {
		const len = s.batch * s.t * s.d;
		const [q, k, v, dOut] = [randomArray(len, 13), randomArray(len, 14), randomArray(len, 15), randomArray(len, 16)];
		const out = new Float32Array(len);
		const p = attentionForward(q, k, v, out, s);
		const [dq, dk, dv] = [new Float32Array(len), new Float32Array(len), new Float32Array(len)];
		attentionBackward(q, k, v, p, dOut, dq, dk, dv, s);
		const pLen = s.batch * s.heads * s.t * s.t;
		const [qb, kb, vb, pb, ob] = [nn.buffer(q), nn.buffer(k), nn.buffer(v), nn.buffer(pLen), nn.buffer(len)];
		nn.attention(qb, kb, vb, pb, ob, s);
		const [dsb, dqb, dkb, dvb] = [nn.buffer(pLen), nn.buffer(len), nn.buffer(len), nn.buffer(len)];
		nn.attentionBackward(qb, kb, vb, pb, nn.buffer(dOut), dsb, dqb, dkb, dvb, s);
		expectClose(await nn.read(ob, len), out);
		expectClose(await nn.read(pb, pLen), p);
		expectClose(await nn.read(dqb, len), dq, 1e-4);
		expectClose(await nn.read(dkb, len), dk, 1e-4);
		expectClose(await nn.read(dvb, len), dv, 1e-4);
	});

	it('cross-entropy loss and gradient', async () => {
		const [n, vocab] = [77, 96];
		const logits = randomArray(n * vocab, 17, 4);
		const targets = Uint32Array.from({ length: n }, (_, i) => (i * 37) % vocab);
		const d = new Float32Array(n * vocab);
		const loss = crossEntropy(logits, targets, n, vocab, d);
		const [lb, db] = [nn.buffer(n), nn.buffer(n * vocab)];
		nn.crossEntropy(nn.buffer(logits), nn.buffer(targets), lb, db, n, vocab);
		const rows = await nn.read(lb, n);
		expect(rows.reduce((a, b) => a + b, 0) / n).toBeCloseTo(loss, 5);
		expectClose(await nn.read(db, n * vocab), d);
	});
});

describe('NN ops: WGSL backward vs finite differences of WGSL forward', () => {
	/** Central difference of Σ w·f(x) in x[i], both evaluations on the GPU. */
	async function numeric(f: (x: Float32Array) => Promise<Float32Array>, x: Float32Array, w: Float32Array, i: number, h = 1e-2): Promise<number> {
		const up = x.slice();
		up[i]! += h;
		const down = x.slice();
		down[i]! -= h;
		return (weightedSum(await f(up), w) - weightedSum(await f(down), w)) / (2 * h);
	}

	it('layer norm dx, GELU dx and attention dq at sampled entries', async () => {
		const [n, d] = [6, 16];
		const g = randomArray(d, 20);
		const b = randomArray(d, 21);
		const x = randomArray(n * d, 22, 2);
		const w = randomArray(n * d, 23);
		const gb = nn.buffer(g);
		const bb = nn.buffer(b);
		const lnForward = async (xs: Float32Array) => {
			const yb = nn.buffer(n * d);
			nn.layerNorm(nn.buffer(xs), gb, bb, yb, nn.buffer(n * d), nn.buffer(n), n, d);
			return nn.read(yb, n * d);
		};
		const [xhb, rb, dxb] = [nn.buffer(n * d), nn.buffer(n), nn.buffer(n * d)];
		nn.layerNorm(nn.buffer(x), gb, bb, nn.buffer(n * d), xhb, rb, n, d);
		nn.layerNormBackward(nn.buffer(w), gb, xhb, rb, dxb, n, d, null);
		const lnDx = await nn.read(dxb, n * d);
		for (const i of [0, 17, 50, 95]) expect(Math.abs(lnDx[i]! - (await numeric(lnForward, x, w, i)))).toBeLessThan(5e-3 + 0.05 * Math.abs(lnDx[i]!));

		const geluFwd = async (xs: Float32Array) => {
			const yb = nn.buffer(xs.length);
			nn.gelu(nn.buffer(xs), yb, xs.length);
			return nn.read(yb, xs.length);
		};
		const gdx = nn.buffer(n * d);
		nn.geluBackward(nn.buffer(x), nn.buffer(w), gdx, n * d);
		const geluDx = await nn.read(gdx, n * d);
		for (const i of [3, 40, 77]) expect(Math.abs(geluDx[i]! - (await numeric(geluFwd, x, w, i)))).toBeLessThan(5e-3 + 0.05 * Math.abs(geluDx[i]!));

		const s = { batch: 1, t: 6, d: 16, heads: 2 };
		const k = randomArray(96, 24);
		const v = randomArray(96, 25);
		const [kb, vb] = [nn.buffer(k), nn.buffer(v)];
		const attFwd = async (qs: Float32Array) => {
			const ob = nn.buffer(96);
			nn.attention(nn.buffer(qs), kb, vb, nn.buffer(72), ob, s);
			return nn.read(ob, 96);
		};
		const [qb, pb, dqb] = [nn.buffer(x), nn.buffer(72), nn.buffer(96)];
		nn.attention(qb, kb, vb, pb, nn.buffer(96), s);
		nn.attentionBackward(qb, kb, vb, pb, nn.buffer(w), nn.buffer(72), dqb, nn.buffer(96), nn.buffer(96), s);
		const dq = await nn.read(dqb, 96);
		for (const i of [5, 33, 90]) expect(Math.abs(dq[i]! - (await numeric(attFwd, x, w, i)))).toBeLessThan(5e-3 + 0.05 * Math.abs(dq[i]!));
	});
});

// The WebGPU model against the CPU reference in real Chromium (SwiftShader here): the same
// loss and the same adapter gradient for a model with partial tiles everywhere (odd widths,
// a sequence shorter than the context), and a LoRA adapter whose B is not zero. Never skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomArray } from '../kernels/nn/finite-difference';
import { baseLayout, loraLayout, type ModelConfig } from './model-config';
import { seededRng } from './rng';
import { lossAndGrad, type Batch } from './transformer';
import { TransformerGpu } from './transformer-gpu';

const CFG: ModelConfig = { vocab: 96, context: 16, dModel: 24, heads: 3, layers: 2, mlp: 40, loraRank: 3, loraAlpha: 6 };
const base = randomArray(baseLayout(CFG).size, 11, 0.2);
const lora = randomArray(loraLayout(CFG).size, 12, 0.2);

function batchOf(seed: number, batch: number, t: number): Batch {
	const rng = seededRng(seed);
	const tokens = Uint8Array.from({ length: batch * t }, () => Math.floor(rng() * CFG.vocab));
	const targets = Uint8Array.from({ length: batch * t }, () => Math.floor(rng() * CFG.vocab));
	return { tokens, targets, batch, t };
}

let model: TransformerGpu;
beforeAll(async () => {
	const m = await TransformerGpu.open(CFG, base);
	if (!m) throw new Error('WebGPU unavailable: the GPU training path needs Chromium with --enable-unsafe-webgpu (SwiftShader); this suite is never skipped.');
	model = m;
});
afterAll(() => model?.destroy());

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
	let scale = 1e-6;
	for (const v of expected) scale = Math.max(scale, Math.abs(v));
	let worst = 0;
	for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
	return worst / scale;
}

describe('transformer on WebGPU', () => {
	it.each([
		{ batch: 2, t: 13 },
		{ batch: 3, t: 16 }
	])('matches the CPU loss and adapter gradient (batch $batch × $t tokens)', async ({ batch, t }) => {
		const b = batchOf(batch * 100 + t, batch, t);
		const cpuGrad = new Float32Array(lora.length);
		const cpuLoss = lossAndGrad(CFG, base, lora, b, { lora: cpuGrad });
		const gpuGrad = new Float32Array(lora.length);
		const gpuLoss = await model.lossAndGrad(lora, b, gpuGrad);
		expect(Math.abs(gpuLoss - cpuLoss) / cpuLoss).toBeLessThan(1e-5);
		expect(maxRelativeError(gpuGrad, cpuGrad)).toBeLessThan(1e-4);
		// Loss only, and a second call on the same model (buffers reused, adapter re-uploaded).
		expect(Math.abs((await model.lossAndGrad(lora, b)) - cpuLoss) / cpuLoss).toBeLessThan(1e-5);
	});

	it('follows a changed adapter (nothing stale between calls)', async () => {
		const b = batchOf(7, 2, 16);
		const other = lora.map((v, i) => v + (i % 7 === 0 ? 0.05 : 0));
		const cpu = lossAndGrad(CFG, base, other, b);
		await model.lossAndGrad(lora, b);
		expect(Math.abs((await model.lossAndGrad(other, b)) - cpu) / cpu).toBeLessThan(1e-5);
	});
});

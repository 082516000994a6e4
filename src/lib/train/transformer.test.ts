// The whole model's backward pass against finite differences, for the adapter and the base
// weights, on a tiny configuration; plus what a fresh adapter must not change.
import { describe, expect, it } from 'vitest';
import { checkGradient, randomArray } from '../kernels/nn/finite-difference';
import { baseLayout, loraLayout, type ModelConfig } from './model-config';
import { initBase, initLora } from './model-init';
import { seededRng } from './rng';
import { VOCAB_SIZE } from './tokenizer';
import { lossAndGrad, nextTokenLogits, type Batch } from './transformer';

const TINY: ModelConfig = { vocab: VOCAB_SIZE, context: 8, dModel: 8, heads: 2, layers: 2, mlp: 16, loraRank: 2, loraAlpha: 4 };

function randomBatch(seed: number, batch = 2, t = 6): Batch {
	const rng = seededRng(seed);
	const tokens = Uint8Array.from({ length: batch * t }, () => Math.floor(rng() * VOCAB_SIZE));
	const targets = Uint8Array.from({ length: batch * t }, () => Math.floor(rng() * VOCAB_SIZE));
	return { tokens, targets, batch, t };
}

describe('transformer', () => {
	// Larger base weights than the init so gradients are well above float32 noise.
	const base = randomArray(baseLayout(TINY).size, 21, 0.5);
	const lora = randomArray(loraLayout(TINY).size, 22, 0.5);
	const batch = randomBatch(23);

	it('adapter gradients match finite differences', () => {
		const g = new Float32Array(lora.length);
		lossAndGrad(TINY, base, lora, batch, { lora: g });
		expect(checkGradient(() => lossAndGrad(TINY, base, lora, batch), lora, g, { samples: 60, seed: 2 })).toEqual([]);
	});

	it('base gradients match finite differences, embeddings included', () => {
		const g = new Float32Array(base.length);
		lossAndGrad(TINY, base, lora, batch, { base: g });
		expect(checkGradient(() => lossAndGrad(TINY, base, lora, batch), base, g, { samples: 80, seed: 3 })).toEqual([]);
		const tok = baseLayout(TINY).tensors.find((t) => t.name === 'tok')!;
		const used = batch.tokens[0]!;
		const row = tok.offset + used * TINY.dModel;
		expect(checkGradient(() => lossAndGrad(TINY, base, lora, batch), base.subarray(row, row + TINY.dModel), g.subarray(row, row + TINY.dModel), { samples: TINY.dModel })).toEqual([]);
	});

	it('a fresh adapter (B = 0) leaves the base model output unchanged', () => {
		const b = initBase(TINY, 5);
		const fresh = initLora(TINY, 6);
		const tokens = randomBatch(7, 1, 8).tokens;
		expect(Array.from(nextTokenLogits(TINY, b, fresh, tokens))).toEqual(Array.from(nextTokenLogits(TINY, b, null, tokens)));
	});

	it('an untrained model predicts close to uniform: loss near ln V', () => {
		const loss = lossAndGrad(TINY, initBase(TINY, 9), null, randomBatch(10));
		expect(Math.abs(loss - Math.log(VOCAB_SIZE))).toBeLessThan(0.1);
	});
});

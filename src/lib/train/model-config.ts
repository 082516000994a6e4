// The shipped model: a small GPT-style character transformer (pre-norm, learned positions)
// with LoRA adapters on the attention projections and both MLP weights.
import * as v from 'valibot';
import { layoutOf, type ParamLayout, type TensorSpec } from './param-layout';
import { VOCAB_SIZE } from './tokenizer';

export const ModelConfigSchema = v.object({
	vocab: v.literal(VOCAB_SIZE),
	context: v.pipe(v.number(), v.integer(), v.minValue(4), v.maxValue(256)),
	dModel: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(256)),
	heads: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
	layers: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8)),
	mlp: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(1024)),
	loraRank: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32)),
	loraAlpha: v.pipe(v.number(), v.minValue(0), v.maxValue(256))
});
export type ModelConfig = v.InferOutput<typeof ModelConfigSchema>;

export const DEFAULT_MODEL: ModelConfig = { vocab: VOCAB_SIZE, context: 64, dModel: 64, heads: 4, layers: 2, mlp: 256, loraRank: 4, loraAlpha: 8 };

/** The weights LoRA adapts in every layer, with their input and output widths. */
export function adaptedWeights(c: ModelConfig): { name: 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2'; inDim: number; outDim: number }[] {
	const d = c.dModel;
	return [
		{ name: 'wq', inDim: d, outDim: d },
		{ name: 'wk', inDim: d, outDim: d },
		{ name: 'wv', inDim: d, outDim: d },
		{ name: 'wo', inDim: d, outDim: d },
		{ name: 'w1', inDim: d, outDim: c.mlp },
		{ name: 'w2', inDim: c.mlp, outDim: d }
	];
}

export function baseLayout(c: ModelConfig): ParamLayout {
	const d = c.dModel;
	if (d % c.heads !== 0) throw new RangeError(`dModel ${d} is not a multiple of ${c.heads} heads`);
	const specs: TensorSpec[] = [
		{ name: 'tok', shape: [c.vocab, d] },
		{ name: 'pos', shape: [c.context, d] }
	];
	for (let l = 0; l < c.layers; l++) {
		specs.push({ name: `l${l}.ln1.g`, shape: [d] }, { name: `l${l}.ln1.b`, shape: [d] });
		for (const w of adaptedWeights(c).slice(0, 4)) specs.push({ name: `l${l}.${w.name}`, shape: [w.inDim, w.outDim] });
		specs.push({ name: `l${l}.ln2.g`, shape: [d] }, { name: `l${l}.ln2.b`, shape: [d] });
		specs.push({ name: `l${l}.w1`, shape: [d, c.mlp] }, { name: `l${l}.b1`, shape: [c.mlp] });
		specs.push({ name: `l${l}.w2`, shape: [c.mlp, d] }, { name: `l${l}.b2`, shape: [d] });
	}
	specs.push({ name: 'lnf.g', shape: [d] }, { name: 'lnf.b', shape: [d] }, { name: 'head', shape: [d, c.vocab] }, { name: 'head.b', shape: [c.vocab] });
	return layoutOf(specs);
}

export function loraLayout(c: ModelConfig): ParamLayout {
	const specs: TensorSpec[] = [];
	for (let l = 0; l < c.layers; l++) {
		for (const w of adaptedWeights(c)) {
			specs.push({ name: `l${l}.${w.name}.a`, shape: [w.inDim, c.loraRank] }, { name: `l${l}.${w.name}.b`, shape: [c.loraRank, w.outDim] });
		}
	}
	return layoutOf(specs);
}

/** LoRA's update is scaled by alpha / rank, so the rank can change without retuning the learning rate. */
export const loraScale = (c: ModelConfig): number => c.loraAlpha / c.loraRank;

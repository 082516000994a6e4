// Initial weights from a seed: the base model for pretraining (GPT-2 style: N(0, 0.02), the
// residual projections scaled down by depth) and the LoRA adapter (A random, B zero, so a
// fresh adapter leaves the base model's output unchanged).
import { adaptedWeights, baseLayout, loraLayout, type ModelConfig } from './model-config';
import { tensor, viewsOf } from './param-layout';
import { gaussian, seededRng } from './rng';

export function initBase(cfg: ModelConfig, seed: number): Float32Array {
	const layout = baseLayout(cfg);
	const flat = new Float32Array(layout.size);
	const rng = seededRng(seed);
	const residual = 0.02 / Math.sqrt(2 * cfg.layers);
	for (const t of layout.tensors) {
		const view = flat.subarray(t.offset, t.offset + t.size);
		if (t.name.endsWith('.g')) view.fill(1);
		else if (t.shape.length === 2) {
			const std = /\.(wo|w2)$/.test(t.name) ? residual : 0.02;
			for (let i = 0; i < view.length; i++) view[i] = std * gaussian(rng);
		}
	}
	return flat;
}

export function initLora(cfg: ModelConfig, seed: number): Float32Array {
	const layout = loraLayout(cfg);
	const flat = new Float32Array(layout.size);
	const views = viewsOf(layout, flat);
	const rng = seededRng(seed);
	for (let l = 0; l < cfg.layers; l++) {
		for (const w of adaptedWeights(cfg)) {
			const a = tensor(views, `l${l}.${w.name}.a`);
			const std = 1 / Math.sqrt(w.inDim);
			for (let i = 0; i < a.length; i++) a[i] = std * gaussian(rng);
		}
	}
	return flat;
}

// A peer's part of a round: H AdamW steps on its shard from the round's adapter, then the
// delta it reached. The same function runs in the browser's training worker and in the bench.
import { AdamW } from './adamw';
import { sampleBatch } from './corpus';
import type { ModelConfig } from './model-config';
import { seededRng } from './rng';
import { lossAndGrad } from './transformer';

export interface LocalTrainJob {
	cfg: ModelConfig;
	base: Float32Array;
	/** The adapter the round starts from (not modified). */
	lora: Float32Array;
	shard: Uint8Array;
	steps: number;
	batch: number;
	seed: number;
	/** Inner optimiser state kept by the peer across rounds (a new one when absent). */
	optimizer?: AdamW;
	lr?: number;
	signal?: AbortSignal;
	onStep?: (step: number, loss: number) => void;
}

export interface LocalTrainResult {
	delta: Float32Array;
	meanLoss: number;
	tokens: number;
	optimizer: AdamW;
}

export function trainLocal(job: LocalTrainJob): LocalTrainResult {
	const { cfg, steps, batch } = job;
	const params = job.lora.slice();
	const opt = job.optimizer ?? new AdamW(params.length);
	const rng = seededRng(job.seed);
	const grad = new Float32Array(params.length);
	const t = Math.min(cfg.context, job.shard.length - 2);
	let total = 0;
	for (let s = 0; s < steps; s++) {
		job.signal?.throwIfAborted();
		grad.fill(0);
		const loss = lossAndGrad(cfg, job.base, params, sampleBatch(job.shard, batch, t, rng), { lora: grad });
		opt.update(params, grad, job.lr);
		total += loss;
		job.onStep?.(s + 1, loss);
	}
	return { delta: params.map((v, i) => v - job.lora[i]!), meanLoss: total / steps, tokens: steps * batch * t, optimizer: opt };
}

// A peer's part of a round: H AdamW steps on its shard from the round's adapter, then the
// delta it reached. The same function runs in the browser's training worker and in the bench.
import { AdamW } from './adamw';
import { sampleBatch } from './corpus';
import type { ModelConfig } from './model-config';
import { seededRng } from './rng';
import { lossAndGrad, type Batch } from './transformer';

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

/** A batch's loss, with its adapter gradient added into `grad` (the WebGPU model's shape). */
export type AdapterGradient = (lora: Float32Array, batch: Batch, grad: Float32Array) => Promise<number>;

/** The state of one local round between steps, shared by the CPU and GPU loops below. */
function localRun(job: LocalTrainJob) {
	const { cfg, batch } = job;
	const params = job.lora.slice();
	const opt = job.optimizer ?? new AdamW(params.length);
	const rng = seededRng(job.seed);
	const grad = new Float32Array(params.length);
	const t = Math.min(cfg.context, job.shard.length - 2);
	let total = 0;
	return {
		params,
		grad,
		/** The next step's batch, with the gradient buffer cleared. */
		next(): Batch {
			job.signal?.throwIfAborted();
			grad.fill(0);
			return sampleBatch(job.shard, batch, t, rng);
		},
		done(step: number, loss: number): void {
			opt.update(params, grad, job.lr);
			total += loss;
			job.onStep?.(step, loss);
		},
		result(): LocalTrainResult {
			return { delta: params.map((v, i) => v - job.lora[i]!), meanLoss: total / job.steps, tokens: job.steps * batch * t, optimizer: opt };
		}
	};
}

/** A local round on the CPU twins. */
export function trainLocal(job: LocalTrainJob): LocalTrainResult {
	const run = localRun(job);
	for (let s = 0; s < job.steps; s++) {
		const b = run.next();
		run.done(s + 1, lossAndGrad(job.cfg, job.base, run.params, b, { lora: run.grad }));
	}
	return run.result();
}

/** The same round with another gradient (the WebGPU model): same batches, same optimiser, same result up to float rounding. */
export async function trainLocalWith(job: LocalTrainJob, gradient: AdapterGradient): Promise<LocalTrainResult> {
	const run = localRun(job);
	for (let s = 0; s < job.steps; s++) {
		const b = run.next();
		run.done(s + 1, await gradient(run.params, b, run.grad));
	}
	return run.result();
}

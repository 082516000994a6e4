// `npm run bench -- training [--peers 4] [--rounds 8] [--steps 16] [--batch 4] [--keep 0.25]
// [--outer-lr 1] [--outer-momentum 0]`:
// fine-tunes the shipped base model's adapter on the Devil's Dictionary three ways with the same
// data and the same total local steps: one device (the baseline), DiLoCo with k peers sending
// compressed deltas with error feedback, and the same without error feedback. Prints the
// validation losses, their ratios to the baseline, and the bytes each round sends against what
// per-step synchronous data-parallel training would send over the same steps.
import { readFileSync } from 'node:fs';
import { report } from './report.js';
import { AdamW } from '../src/lib/train/adamw.js';
import { compressWithFeedback, decodeDelta } from '../src/lib/train/delta-codec.js';
import { closeRound, newHostState, validationLoss, type Arrival } from '../src/lib/train/host-round.js';
import { shardStream } from '../src/lib/train/corpus.js';
import { trainLocal } from '../src/lib/train/local-train.js';
import { initLora } from '../src/lib/train/model-init.js';
import { mixSeed } from '../src/lib/train/rng.js';
import { OUTER_DEFAULTS } from '../src/lib/train/outer-optimizer.js';
import { prepareTrainingData } from '../src/lib/train/training-data.js';
import { decodeWeights } from '../src/lib/train/weights-file.js';

const arg = (args: string[], name: string, fallback: number) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};

export async function main(args: string[]): Promise<void> {
	const peers = arg(args, 'peers', 4);
	const rounds = arg(args, 'rounds', 8);
	const steps = arg(args, 'steps', 16);
	const batch = arg(args, 'batch', 4);
	const keep = arg(args, 'keep', 0.25);
	const innerLr = arg(args, 'lr', 3e-3);
	const outer = { lr: arg(args, 'outer-lr', OUTER_DEFAULTS.lr), momentum: arg(args, 'outer-momentum', OUTER_DEFAULTS.momentum) };
	const { header, params: base } = decodeWeights(readFileSync('static/training/base-model.bin'));
	const cfg = header.config;
	const data = prepareTrainingData(readFileSync('static/training/devils-dictionary.txt', 'utf8'), cfg.context);
	const lora0 = initLora(cfg, 7);
	const totalSteps = peers * rounds * steps;
	const log = (s: string) => console.error(`[training] ${s}`);
	log(`base: ${header.provenance.corpus}, validation loss of the base model here ${validationLoss(newHostState(cfg, base, lora0, data)).toFixed(4)}`);

	// One device: every local step in sequence on the whole training stream.
	const t0 = Date.now();
	const single = trainLocal({ cfg, base, lora: lora0, shard: data.train, steps: totalSteps, batch, seed: 1, lr: innerLr, onStep: (s, l) => s % 100 === 0 && log(`single device step ${s}/${totalSteps} loss ${l.toFixed(3)}`) });
	const singleLora = lora0.map((v, i) => v + single.delta[i]!);
	const singleLoss = validationLoss(newHostState(cfg, base, singleLora, data));
	log(`single device: validation ${singleLoss.toFixed(4)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

	const shards = shardStream(data.train, Array(peers).fill(1));
	const distributed = (feedback: boolean) => {
		const host = newHostState(cfg, base, lora0, data, outer);
		const residuals = shards.map(() => new Float32Array(lora0.length));
		const optimizers = shards.map(() => new AdamW(lora0.length, { lr: innerLr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 }));
		let bytes = 0;
		let rejected = 0;
		for (let r = 0; r < rounds; r++) {
			const arrivals: Arrival[] = shards.map((shard, p) => {
				const local = trainLocal({ cfg, base, lora: host.lora, shard, steps, batch, seed: mixSeed(r, p), optimizer: optimizers[p], lr: innerLr });
				const enc = compressWithFeedback(local.delta, residuals[p]!, keep, feedback);
				bytes += enc.bytes.length;
				return { peer: `p${p}`, delta: decodeDelta(enc.bytes, lora0.length), tokens: local.tokens };
			});
			const out = closeRound(host, arrivals);
			rejected += out.verdicts.filter((v) => !v.accepted).length;
			log(`${feedback ? 'with' : 'without'} error feedback, round ${out.round}: validation ${out.validationLoss.toFixed(4)}, rejected ${out.verdicts.filter((v) => !v.accepted).map((v) => v.reason).join('; ') || 'none'}`);
		}
		return { loss: validationLoss(host), bytesPerRound: bytes / rounds, rejected };
	};
	const ef = distributed(true);
	const noEf = distributed(false);

	const b = { metric: 'single-device validation loss', value: singleLoss };
	report('training', 'single-device validation loss', singleLoss, 'nats/char');
	report('training', `diloco ${peers} peers validation loss (error feedback)`, ef.loss, 'nats/char', b);
	report('training', `diloco ${peers} peers validation loss (no error feedback)`, noEf.loss, 'nats/char', b);
	// Per-step synchronous data parallelism: every peer sends its full float32 gradient every step.
	const dpBytesPerRound = peers * steps * lora0.length * 4;
	report('training', 'bytes sent per round, diloco (compressed deltas)', ef.bytesPerRound, 'bytes', { metric: 'bytes per-step data-parallel would send over the same steps', value: dpBytesPerRound });
	report('training', 'bandwidth reduction vs per-step data-parallel', dpBytesPerRound / ef.bytesPerRound, 'x');
	report('training', 'honest deltas rejected by the canary checks', ef.rejected + noEf.rejected, 'deltas', { metric: 'honest deltas checked', value: 2 * peers * rounds });
}

// Pretrains the shipped base model on Jane Austen's novels with the CPU twins, from a seed:
//   npx tsx scripts/training/pretrain-base.ts [--steps 1500] [--seed 1]
// writes static/training/base-model.bin (weights and how they were made). Deterministic for a
// seed on one machine; it takes a while (about a second a step on a loaded two-core machine),
// so it saves what it has every 250 steps.
import { writeFileSync } from 'node:fs';
import { sampleBatch, fixedBatches } from '../../src/lib/train/corpus.js';
import { AdamW } from '../../src/lib/train/adamw.js';
import { DEFAULT_MODEL } from '../../src/lib/train/model-config.js';
import { initBase } from '../../src/lib/train/model-init.js';
import { seededRng } from '../../src/lib/train/rng.js';
import { encode } from '../../src/lib/train/tokenizer.js';
import { lossAndGrad } from '../../src/lib/train/transformer.js';
import { encodeWeights } from '../../src/lib/train/weights-file.js';
import { austenNovels } from './make-corpora.js';

const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 1500);
const SEED = arg('seed', 1);
const BATCH = 16;
const LR_MAX = 3e-3;
const WARMUP_STEPS = 100;
const OUT = 'static/training/base-model.bin';

const cfg = DEFAULT_MODEL;
const stream = encode(austenNovels());
// The last 2% of the text is held out to report a validation loss.
const cut = Math.floor(stream.length * 0.98);
const train = stream.subarray(0, cut);
const validation = fixedBatches(stream.subarray(cut), 8, BATCH, cfg.context, SEED + 1);
const params = initBase(cfg, SEED);
const opt = new AdamW(params.length, { lr: LR_MAX, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 });
const rng = seededRng(SEED + 2);
const grad = new Float32Array(params.length);

const validationLoss = () => validation.reduce((s, b) => s + lossAndGrad(cfg, params, null, b), 0) / validation.length;

function save(step: number, valLoss: number): void {
	const bytes = encodeWeights(cfg, params, {
		script: 'scripts/training/pretrain-base.ts',
		corpus: 'Jane Austen, six novels (Debian r-cran-janeaustenr), first 98%',
		seed: SEED,
		steps: step,
		batch: `${BATCH}x${cfg.context} tokens`,
		validationLoss: Number(valLoss.toFixed(4))
	});
	writeFileSync(OUT, bytes);
}

console.log(`pretraining ${params.length} parameters on ${train.length} tokens for ${STEPS} steps`);
const started = Date.now();
let recent = 0;
for (let step = 1; step <= STEPS; step++) {
	const lr = step <= WARMUP_STEPS ? (LR_MAX * step) / WARMUP_STEPS : LR_MAX * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (step - WARMUP_STEPS)) / (STEPS - WARMUP_STEPS))));
	grad.fill(0);
	recent += lossAndGrad(cfg, params, null, sampleBatch(train, BATCH, cfg.context, rng), { base: grad });
	opt.update(params, grad, lr);
	if (step % 50 === 0) {
		console.log(`step ${step}: train loss ${(recent / 50).toFixed(3)}, ${((Date.now() - started) / step / 1000).toFixed(2)} s/step`);
		recent = 0;
	}
	if (step % 250 === 0 || step === STEPS) {
		const val = validationLoss();
		console.log(`step ${step}: validation loss ${val.toFixed(3)}`);
		save(step, val);
	}
}
console.log(`wrote ${OUT}`);

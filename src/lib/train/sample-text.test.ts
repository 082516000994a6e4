import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { nextShard, SHARD_TOKENS_FACTOR } from './corpus';
import { compressWithFeedback, decodeDelta } from './delta-codec';
import { closeRound, newHostState } from './host-round';
import { trainLocal } from './local-train';
import { initLora } from './model-init';
import { ROUND_SAMPLE_CHARS, roundSample, sampleText } from './sample-text';
import { prepareTrainingData } from './training-data';
import { decodeWeights } from './weights-file';

const read = (path: string) => readFileSync(new URL(`../../../static/training/${path}`, import.meta.url));
const { header, params: base } = decodeWeights(new Uint8Array(read('base-model.bin')));
const cfg = header.config;

/** Share of a sample that is whitespace (English prose: about a fifth). */
const whitespaceShare = (s: string) => (s.match(/\s/g) ?? []).length / s.length;
const words = (s: string) => s.match(/[A-Za-z]{2,}/g) ?? [];

describe('sampleText', () => {
	it('is the same for the same seed and differs for another', () => {
		const lora = initLora(cfg, 7);
		const a = sampleText(cfg, base, lora, 'ABATIS, n.  ', 40, 0.8, 3);
		expect(sampleText(cfg, base, lora, 'ABATIS, n.  ', 40, 0.8, 3)).toBe(a);
		expect(sampleText(cfg, base, lora, 'ABATIS, n.  ', 40, 0.8, 4)).not.toBe(a);
		expect(a).toHaveLength(40);
	});

	// A class saw "What the model writes now" turn into blank lines and a lone letter after three
	// rounds: the corpus's indented verse and right-aligned attributions had taught the adapter that
	// spaces follow spaces. This runs a session's rounds as the host and one peer run them (the
	// host page's defaults: H = 16, batch 4, inner lr 3e-3, a quarter of the delta kept, shards
	// handed out in turn).
	it(
		'writes words after every round of a session on the shipped corpus, not runs of spaces',
		() => {
			const data = prepareTrainingData(read('devils-dictionary.txt').toString('utf8'), cfg.context);
			const host = newHostState(cfg, base, initLora(cfg, 7), data);
			const optimizer = new AdamW(host.lora.length);
			const residual = new Float32Array(host.lora.length);
			const [steps, batch] = [16, 4];
			const tokens = steps * batch * cfg.context;
			let cursor = 0;
			for (let round = 1; round <= 3; round++) {
				const next = nextShard(data.train, cursor, SHARD_TOKENS_FACTOR * tokens + cfg.context + 1);
				cursor = next.cursor;
				const local = trainLocal({ cfg, base, lora: host.lora, shard: next.shard, steps, batch, seed: round * 1_000, lr: 3e-3, optimizer });
				const enc = compressWithFeedback(local.delta, residual, 0.25);
				const out = closeRound(host, [{ peer: 'p', delta: decodeDelta(enc.bytes, host.lora.length), tokens }]);
				expect(out.verdicts[0]!.accepted, out.verdicts[0]!.reason ?? '').toBe(true);
				const sample = roundSample(cfg, base, host.lora, out.round);
				const why = `round ${round}: ${JSON.stringify(sample)}`;
				expect(sample, why).toHaveLength(ROUND_SAMPLE_CHARS);
				expect(whitespaceShare(sample), why).toBeLessThan(0.35);
				expect(sample, why).not.toMatch(/\s{8,}/);
				expect(words(sample).length, why).toBeGreaterThanOrEqual(15);
			}
		},
		600_000
	);
});

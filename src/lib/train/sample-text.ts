// Text from the model: temperature sampling from a prompt, seeded so a round's sample can be
// shown the same on every screen. The prompt is folded like the training text, so it looks like
// what the model learned from.
import { foldLayout } from './corpus';
import type { ModelConfig } from './model-config';
import { seededRng } from './rng';
import { decode, encode, normalizeText } from './tokenizer';
import { nextTokenLogits } from './transformer';

/** Longest sample, in characters. */
const SAMPLE_CHARS_MAX = 1_000;
/** What a session's samples start from: a dictionary headword, so the model writes a definition. */
const ROUND_SAMPLE_PROMPT = 'CLASSROOM, n.  ';
export const ROUND_SAMPLE_CHARS = 160;
const ROUND_SAMPLE_TEMPERATURE = 0.8;

export function sampleText(cfg: ModelConfig, base: Float32Array, lora: Float32Array | null, prompt: string, chars: number, temperature = 0.8, seed = 1): string {
	const rng = seededRng(seed);
	const start = encode(foldLayout(normalizeText(prompt)) || '\n');
	const tokens = Array.from(start);
	const n = Math.min(chars, SAMPLE_CHARS_MAX);
	for (let i = 0; i < n; i++) {
		const logits = nextTokenLogits(cfg, base, lora, Uint8Array.from(tokens.slice(-cfg.context)));
		let max = -Infinity;
		for (const l of logits) max = Math.max(max, l);
		const p = Array.from(logits, (l) => Math.exp((l - max) / Math.max(temperature, 1e-3)));
		let u = rng() * p.reduce((a, b) => a + b, 0);
		let next = p.length - 1;
		for (let j = 0; j < p.length; j++) {
			u -= p[j]!;
			if (u <= 0) {
				next = j;
				break;
			}
		}
		tokens.push(next);
	}
	return decode(tokens.slice(start.length));
}

/** A session's sample after `round` rounds: seeded by the round, so host and peers show the same text. */
export function roundSample(cfg: ModelConfig, base: Float32Array, lora: Float32Array, round: number): string {
	return sampleText(cfg, base, lora, ROUND_SAMPLE_PROMPT, ROUND_SAMPLE_CHARS, ROUND_SAMPLE_TEMPERATURE, round + 1);
}

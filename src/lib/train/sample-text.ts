// Text from the model: temperature sampling from a prompt, seeded so a round's sample can be
// shown the same on every screen.
import type { ModelConfig } from './model-config';
import { seededRng } from './rng';
import { decode, encode, normalizeText } from './tokenizer';
import { nextTokenLogits } from './transformer';

/** Longest sample, in characters. */
export const SAMPLE_CHARS_MAX = 1_000;

export function sampleText(cfg: ModelConfig, base: Float32Array, lora: Float32Array | null, prompt: string, chars: number, temperature = 0.8, seed = 1): string {
	const rng = seededRng(seed);
	const start = encode(normalizeText(prompt) || '\n');
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

// Corpora as documents (dictionary entries, pasted paragraphs), split deterministically into
// training, validation and canary sets, and sampled as fixed-length windows of tokens. The
// canary set is the host's alone: peers never see it, so a delta tuned to pass it is unlikely.
import { encode, normalizeText } from './tokenizer';
import { mixSeed, seededRng, type Rng } from './rng';
import type { Batch } from './transformer';

/** Documents shorter than this are folded into their neighbour. */
const DOCUMENT_CHARS_MIN = 40;

/**
 * Folds layout whitespace: line indentation and trailing spaces go, and a run of three or more
 * spaces becomes one (two stay: the double space after a sentence). Why: typeset text (indented
 * verse, attributions right-aligned with 60 spaces) teaches a character model that spaces follow
 * spaces; its samples then fall into a context of nothing but spaces and never leave it.
 */
export function foldLayout(text: string): string {
	return text.replace(/^[ ]+|[ ]+$/gm, '').replace(/[ ]{3,}/g, ' ');
}

/** Splits text into documents at blank lines before an all-caps headword ("ABASEMENT, n."), or at blank lines for plain text. */
export function splitDocuments(raw: string): string[] {
	const text = foldLayout(normalizeText(raw)).trim();
	const headword = /\n\n(?=[A-Z][A-Z' -]{1,40}[,.])/;
	const parts = headword.test(text) ? text.split(headword) : text.split(/\n\s*\n/);
	const out: string[] = [];
	for (const p of parts.map((s) => s.trim()).filter(Boolean)) {
		const last = out.length - 1;
		if (last >= 0 && out[last]!.length < DOCUMENT_CHARS_MIN) out[last] += '\n\n' + p;
		else out.push(p);
	}
	return out;
}

export interface CorpusSplit {
	train: string[];
	validation: string[];
	canary: string[];
}

/** A stable split: document i goes to validation or canary by a hash of (seed, i), never by chance at run time. */
export function splitCorpus(docs: readonly string[], seed: number, validationShare = 0.1, canaryShare = 0.05): CorpusSplit {
	const out: CorpusSplit = { train: [], validation: [], canary: [] };
	docs.forEach((d, i) => {
		const u = mixSeed(seed, i) / 4294967296;
		(u < validationShare ? out.validation : u < validationShare + canaryShare ? out.canary : out.train).push(d);
	});
	return out;
}

/** The documents in an order drawn from `seed` (Fisher–Yates), the same on every device. */
export function shuffled<T>(docs: readonly T[], seed: number): T[] {
	const out = [...docs];
	const rng = seededRng(seed);
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(rng() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/** Documents joined as one token stream, each followed by a blank line. */
export function tokensOf(docs: readonly string[]): Uint8Array {
	return encode(docs.map((d) => d + '\n\n').join(''));
}

/** `batch` windows of t + 1 tokens at positions drawn from rng: inputs and next-token targets. */
export function sampleBatch(stream: Uint8Array, batch: number, t: number, rng: Rng): Batch {
	if (stream.length < t + 2) throw new RangeError(`a stream of ${stream.length} tokens is too short for windows of ${t + 1}`);
	const tokens = new Uint8Array(batch * t);
	const targets = new Uint8Array(batch * t);
	for (let b = 0; b < batch; b++) {
		const start = Math.floor(rng() * (stream.length - t - 1));
		tokens.set(stream.subarray(start, start + t), b * t);
		targets.set(stream.subarray(start + 1, start + t + 1), b * t);
	}
	return { tokens, targets, batch, t };
}

/** Fixed evaluation batches (validation, canary): the same windows every round, so losses compare. */
export function fixedBatches(stream: Uint8Array, count: number, batch: number, t: number, seed: number): Batch[] {
	const rng = seededRng(seed);
	return Array.from({ length: count }, () => sampleBatch(stream, batch, t, rng));
}

/** Splits a token stream into `parts` contiguous shards whose sizes follow `weights` (a peer's measured speed). */
export function shardStream(stream: Uint8Array, weights: readonly number[]): Uint8Array[] {
	const total = weights.reduce((a, b) => a + Math.max(0, b), 0);
	if (!(total > 0)) throw new RangeError('shard weights must have a positive sum');
	const out: Uint8Array[] = [];
	let start = 0;
	let acc = 0;
	for (const w of weights) {
		acc += Math.max(0, w);
		const end = Math.round((acc / total) * stream.length);
		out.push(stream.subarray(start, end));
		start = end;
	}
	return out;
}

/**
 * A round's shard holds this many times the tokens its peer trains on, so the peer's windows come
 * from a few dozen entries rather than the handful one pass would cover (measured with one or two
 * peers: one pass let the validation loss rise round after round, four let it fall).
 */
export const SHARD_TOKENS_FACTOR = 4;

/** The next `tokens` of a stream from `cursor` (wrapping) and where the one after starts: the host's successive shards cover the data in turn. */
export function nextShard(stream: Uint8Array, cursor: number, tokens: number): { shard: Uint8Array; cursor: number } {
	const n = Math.min(tokens, stream.length);
	const shard = new Uint8Array(n);
	for (let i = 0; i < n; i++) shard[i] = stream[(cursor + i) % stream.length]!;
	return { shard, cursor: (cursor + n) % stream.length };
}

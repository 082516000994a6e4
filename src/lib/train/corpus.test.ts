import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { foldLayout, nextShard, SHARD_TOKENS_FACTOR, shuffled, splitDocuments } from './corpus';
import { prepareTrainingData } from './training-data';
import { decode } from './tokenizer';

const SHIPPED = readFileSync(new URL('../../../static/training/devils-dictionary.txt', import.meta.url), 'utf8');

describe('foldLayout', () => {
	it('drops indentation and trailing spaces and makes a long run of spaces one', () => {
		const verse = '    Poor Isabella\'s Dead, whose abdication\n        Set all tongues wagging.   \n                                        G.J.';
		expect(foldLayout(verse)).toBe("Poor Isabella's Dead, whose abdication\nSet all tongues wagging.\nG.J.");
	});

	it('keeps the double space after a sentence and single spaces', () => {
		expect(foldLayout('ABATIS, n.  Rubbish in front of a fort.  To prevent it.')).toBe('ABATIS, n.  Rubbish in front of a fort.  To prevent it.');
	});
});

describe('the shipped corpus as a session trains on it', () => {
	// Its verse is indented and its attributions right-aligned with up to 66 spaces: a model fed
	// those learned that spaces follow spaces, and its samples turned into blank lines.
	it('has no run of three spaces and no indented line left in any split', () => {
		expect(SHIPPED).toMatch(/ {20,}/);
		const data = prepareTrainingData(SHIPPED, 64);
		const streams = [data.train, ...data.validation.map((b) => b.tokens), ...data.canary.map((b) => b.tokens)];
		for (const s of streams) {
			const text = decode(s);
			expect(text).not.toMatch(/ {3}/);
			expect(text).not.toMatch(/\n /);
		}
	});

	it('hands a round entries from across the dictionary, not alphabetical neighbours', () => {
		const data = prepareTrainingData(SHIPPED, 64);
		// The first shard of a session at the host page's defaults (H = 16, batch 4).
		const first = decode(nextShard(data.train, 0, SHARD_TOKENS_FACTOR * 16 * 4 * 64).shard);
		const initials = new Set([...first.matchAll(/(?:^|\n\n)([A-Z])[A-Z' -]+[,.]/g)].map((m) => m[1]));
		expect(initials.size).toBeGreaterThanOrEqual(8);
	});

	it('still splits into its dictionary entries', () => {
		const docs = splitDocuments(SHIPPED);
		expect(docs.length).toBeGreaterThan(900);
		expect(docs[0]).toMatch(/^ABASEMENT, n\.  A decent and customary/);
	});
});

describe('nextShard', () => {
	it('hands out the stream in turn and wraps at its end', () => {
		const stream = Uint8Array.from([1, 2, 3, 4, 5]);
		const a = nextShard(stream, 0, 3);
		expect([...a.shard]).toEqual([1, 2, 3]);
		const b = nextShard(stream, a.cursor, 3);
		expect([...b.shard]).toEqual([4, 5, 1]);
		expect(b.cursor).toBe(1);
		expect(nextShard(stream, 0, 9).shard.length).toBe(5);
	});
});

describe('shuffled', () => {
	it('is a permutation fixed by its seed', () => {
		const docs = Array.from({ length: 50 }, (_, i) => `doc ${i}`);
		const a = shuffled(docs, 2);
		expect(a).not.toEqual(docs);
		expect([...a].sort()).toEqual([...docs].sort());
		expect(shuffled(docs, 2)).toEqual(a);
		expect(shuffled(docs, 3)).not.toEqual(a);
	});
});

import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { colourize, PALETTE, tileToImageData } from './colour';
import { countsToBytes } from './counts';

describe('colourize', () => {
	it('paints in-set pixels black and starts the palette at count 1', () => {
		const px = colourize(new Uint32Array([100, 1, 4]), 100);
		expect(Array.from(px.slice(0, 4))).toEqual([0, 0, 0, 255]);
		expect(Array.from(px.slice(4, 7))).toEqual([...PALETTE[0]!]);
		expect(px.length).toBe(12);
	});
	it('is a fixed function of the counts (pinned hash: any change is a visible change)', () => {
		const counts = new Uint32Array(50_001).map((_, i) => i);
		const hash = bytesToHex(sha256(new Uint8Array(colourize(counts, 50_000).buffer)));
		expect(hash).toMatchInlineSnapshot(`"e6c17a70aa47cef088fdcc913349e40b25408e4268b142c832e3a37d5af1b964"`);
	});
	it('varies smoothly: neighbouring counts differ by little', () => {
		const px = colourize(new Uint32Array(2000).map((_, i) => i + 1), 10_000);
		let worst = 0;
		for (let i = 4; i < px.length; i += 4) for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(px[i + k]! - px[i - 4 + k]!));
		expect(worst).toBeLessThan(64);
	});
	it('tileToImageData checks the length', () => {
		expect(tileToImageData(countsToBytes(new Uint32Array([5, 6])), 2, 1, 10).length).toBe(8);
		expect(() => tileToImageData(new Uint8Array(4), 2, 1, 10)).toThrow(RangeError);
	});
});

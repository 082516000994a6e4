// The requester's side: verified tiles → the pinned PNG; a voided tile is blank, never missing.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import fixture from '../../../../test/samples/mandelbrot-parity.json';
import { PNG_CASE, pngCaseTiles } from './parity-cases';
import { assemblePng } from './png';
import { mandelbrotRequester } from './requester';
import { splitMandelbrot } from './split';

describe('mandelbrot requester', () => {
	it('assembles every verified tile and renders the pinned PNG', async () => {
		const result = mandelbrotRequester.assemble(PNG_CASE, pngCaseTiles());
		expect(result).toMatchObject({ width: 150, height: 100, blankTiles: 0 });
		expect(result.rgba.length).toBe(150 * 100 * 4);
		const out = await mandelbrotRequester.render(result);
		expect(bytesToHex(sha256(out.bytes))).toBe(fixture.pngSha256);
		expect(out).toMatchObject({ mediaType: 'image/png', extension: 'png', summary: 'Mandelbrot 150×100 PNG' });
		expect(mandelbrotRequester.title(PNG_CASE)).toBe('Mandelbrot 150×100');
	});

	it('leaves a tile with no verified result blank (zero counts) and says so', async () => {
		const tiles = pngCaseTiles();
		tiles.delete(1);
		const result = mandelbrotRequester.assemble(PNG_CASE, tiles);
		const blank = splitMandelbrot(PNG_CASE)[1]!;
		expect(result.blankTiles).toBe(1);
		const out = await mandelbrotRequester.render(result);
		expect(out.bytes).toEqual(assemblePng(PNG_CASE, new Map(tiles).set(1, new Uint8Array(blank.resultBytes))));
		expect(out.summary).toBe('Mandelbrot 150×100 PNG, 1 voided tile blank');
	});

	it('refuses a tile of the wrong size', () => {
		expect(() => mandelbrotRequester.assemble(PNG_CASE, pngCaseTiles().set(0, new Uint8Array(8)))).toThrow(/tile 0/);
	});
});

// Node half of the GPU/CPU parity proof: the CPU twin reproduces the fixture hashes that the
// browser test (mandelbrot-parity.browser.test.ts) demands of WebGPU.
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import fixture from '../../../../test/samples/mandelbrot-parity.json';
import { computeTileCpu } from './cpu-twin';
import { colourize } from './colour';
import { PARITY_CASES, PNG_CASE, parityParams, pngCaseTiles } from './parity-cases';
import { assemblePng } from './png';

describe('parity fixture (test/samples/mandelbrot-parity.json)', () => {
	it('lists every parity case with params derived from its view today', () => {
		expect(fixture.cases.map((c) => c.name)).toEqual(PARITY_CASES.map((c) => c.name));
		PARITY_CASES.forEach((c, i) => expect(fixture.cases[i]!.params).toEqual(parityParams(c)));
		expect(new Set(fixture.cases.map((c) => c.params.limbs))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8]));
	});
	it('colouring and PNG bytes match the pinned hashes', () => {
		const ramp = new Uint32Array(50_001).map((_, i) => i);
		expect(bytesToHex(sha256(new Uint8Array(colourize(ramp, 50_000).buffer)))).toBe(fixture.colourSha256);
		expect(bytesToHex(sha256(assemblePng(PNG_CASE, pngCaseTiles())))).toBe(fixture.pngSha256);
	});
	it.each(fixture.cases)('CPU twin matches the hash for $name', (c) => {
		expect(bytesToHex(sha256(computeTileCpu(c.params)))).toBe(c.sha256);
	});
});

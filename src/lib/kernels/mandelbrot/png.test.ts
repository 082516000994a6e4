import { describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import * as v from 'valibot';
import { colourize } from './colour';
import { computeTileCpu } from './cpu-twin';
import { splitMandelbrot } from './meta';
import { assemblePng } from './png';
import { MandelbrotSpecSchema } from './spec';
import { assembleCounts } from './tiles';

const spec = v.parse(MandelbrotSpecSchema, { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 150, height: 100, maxIter: 64, tile: 64 });
const tiles = new Map(splitMandelbrot(spec).map((t) => [t.idx, computeTileCpu(t.params)] as const));

describe('assemblePng', () => {
	it('round-trips through fast-png decode to the colourized counts', () => {
		const png = assemblePng(spec, tiles);
		const img = decode(png);
		expect([img.width, img.height, img.channels, img.depth]).toEqual([150, 100, 4, 8]);
		expect(Array.from(img.data)).toEqual(Array.from(colourize(assembleCounts(spec, tiles), spec.maxIter)));
		expect(assemblePng(spec, tiles)).toEqual(png); // deterministic bytes
	});
	it('places every tile where split says', () => {
		const all = assembleCounts(spec, tiles);
		// pixel (75, 50) is the centre -0.75 + 0i: in the set
		expect(all[50 * 150 + 75]).toBe(64);
		expect(all[0]).toBeLessThan(5); // the corner escapes fast
	});
	it('refuses a missing or mis-sized tile', () => {
		const missing = new Map(tiles);
		missing.delete(1);
		expect(() => assemblePng(spec, missing)).toThrow(/tile 1 is missing/);
		const short = new Map(tiles).set(0, new Uint8Array(8));
		expect(() => assemblePng(spec, short)).toThrow(/tile 0/);
	});
});

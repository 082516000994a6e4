import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeCountsCpu, computeTileCpu } from './cpu-twin';
import { splitMandelbrot } from './meta';
import { decodeParams } from './params';
import { computeTileRef } from './reference';
import { MandelbrotSpecSchema } from './spec';
import { DEEP_POINTS, INTERESTING_POINTS } from './test-points';
import * as v from 'valibot';

/** A 16×16 view `3/zoom` wide; its top-left side×side pixels as one tile. */
function tileOf(re: string, im: string, zoomExp: number, maxIter: number, side = 8) {
	const spec = v.parse(MandelbrotSpecSchema, { centerRe: re, centerIm: im, zoom: `3e${zoomExp}`, width: 16, height: 16, maxIter, tile: 64 });
	const task = splitMandelbrot(spec)[0]!;
	return { ...task.params, w: side, h: side };
}

describe('computeTileCpu', () => {
	it('equals the BigInt reference on random views from shallow to 1e-15 wide', () => {
		fc.assert(
			fc.property(fc.constantFrom(...INTERESTING_POINTS), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 20, max: 400 }), (p, depth, maxIter) => {
				const params = tileOf(p.re, p.im, depth, maxIter);
				const job = decodeParams(params);
				expect(Array.from(computeCountsCpu(job))).toEqual(Array.from(computeTileRef(job)));
			}),
			{ numRuns: 60 }
		);
	});
	it('equals the reference on deep views 1e-10 to 1e-15 wide around Misiurewicz points', () => {
		fc.assert(
			fc.property(fc.constantFrom(...DEEP_POINTS), fc.integer({ min: 10, max: 15 }), (p, depth) => {
				const job = decodeParams(tileOf(p.re, p.im, depth, 400, 16));
				const counts = computeCountsCpu(job);
				expect(new Set(counts).size).toBeGreaterThan(2); // the view really has structure
				expect(Array.from(counts)).toEqual(Array.from(computeTileRef(job)));
			}),
			{ numRuns: 12 }
		);
	});
	it('forces every limb count through the twin', () => {
		for (let limbs = 2; limbs <= 8; limbs++) {
			const base = decodeParams(tileOf('-0.743643887037151', '0.131825904205330', 0, 300));
			const shift = BigInt(16 * (limbs - 2));
			const job = { ...base, limbs, fracBits: 16 * (limbs - 1), x0: base.x0 << shift, y0: base.y0 << shift, step: (base.step << shift) / 7n };
			expect(Array.from(computeCountsCpu(job))).toEqual(Array.from(computeTileRef(job)));
		}
	});
	it('returns w·h little-endian u32 bytes and rejects bad params', () => {
		const bytes = computeTileCpu({ limbs: 2, maxIter: 50, x0: '0', y0: '0', step: '1000', w: 3, h: 2 });
		expect(bytes.length).toBe(24);
		expect(bytes[0]).toBe(50); // c = 0 is in the set
		expect(() => computeTileCpu({ limbs: 9, maxIter: 50, x0: '0', y0: '0', step: '1', w: 3, h: 2 })).toThrow();
		expect(() => computeTileCpu({ limbs: 2, maxIter: 50, x0: String(5 * 65536), y0: '0', step: '1', w: 3, h: 2 })).toThrow();
	});
	it('honours an aborted signal with an AbortError', () => {
		const ctl = new AbortController();
		ctl.abort();
		try {
			computeTileCpu({ limbs: 2, maxIter: 50, x0: '0', y0: '0', step: '1000', w: 3, h: 2 }, ctl.signal);
			expect.unreachable();
		} catch (e) {
			expect(e).toBeInstanceOf(DOMException);
			expect((e as DOMException).name).toBe('AbortError');
		}
	});
});

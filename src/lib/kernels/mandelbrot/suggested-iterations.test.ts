import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITERATIONS_MAX } from './spec';
import { suggestedMaxIter } from './suggested-iterations';

describe('suggestedMaxIter', () => {
	it('adds 400 per tenfold zoom from 600 at zoom 1, to the nearest 100', () => {
		expect(suggestedMaxIter(1)).toBe(600);
		expect(suggestedMaxIter(180)).toBe(1500);
		expect(suggestedMaxIter(1e6)).toBe(3000);
		// Past the 4,273 the deepest pixel of the default centre needs at 1e12.
		expect(suggestedMaxIter(1e12)).toBe(5400);
		expect(suggestedMaxIter(9.5e28)).toBe(12_200);
	});
	it('stays in the spec range for any zoom, and never falls as the zoom grows', () => {
		for (const odd of [0, -5, 0.01, Number.NaN]) expect(suggestedMaxIter(odd)).toBe(600);
		expect(suggestedMaxIter(Infinity)).toBe(ITERATIONS_MAX);
		expect(suggestedMaxIter(1e300)).toBe(ITERATIONS_MAX);
		fc.assert(
			fc.property(fc.double({ min: 1e-3, max: 1e40, noNaN: true }), fc.double({ min: 1, max: 1e6, noNaN: true }), (zoom, factor) => {
				const n = suggestedMaxIter(zoom);
				expect(n).toBeGreaterThanOrEqual(600);
				expect(n).toBeLessThanOrEqual(ITERATIONS_MAX);
				expect(suggestedMaxIter(zoom * factor)).toBeGreaterThanOrEqual(n);
			})
		);
	});
});

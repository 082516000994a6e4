// Test-only helpers: points on or near the boundary of the set, where orbits are long and any
// arithmetic slip shows up as a different count.
import { parseDecimal, toFixed } from './decimal';

export interface TestPoint {
	re: string;
	im: string;
}

export const INTERESTING_POINTS: readonly TestPoint[] = [
	{ re: '-0.743643887037151', im: '0.131825904205330' }, // seahorse valley
	{ re: '-0.7436447860', im: '0.1318252536' },
	{ re: '0.285', im: '0.01' },
	{ re: '-1.25066', im: '0.02012' }, // elephant-ish, period-2 bulb edge
	{ re: '-0.1011', im: '0.9563' },
	{ re: '0.25', im: '0' }, // cusp
	{ re: '-2', im: '0' },
	{ re: '-1.7497219', im: '0.0000000' }
];

/** Misiurewicz points: structure at every depth, so 1e-15-wide views still have varied counts. */
export const DEEP_POINTS: readonly TestPoint[] = [
	{ re: '-0.10109636384562', im: '0.95628651080914' },
	{ re: '0', im: '1' },
	{ re: '-1.99999999913827011875827476', im: '0' }
];

/** The fixed-point constant of `p` nudged by (dx, dy) units in the last place. */
export function pixelConstant(p: TestPoint, fracBits: number, dx: number, dy: number): { cx: bigint; cy: bigint } {
	return {
		cx: toFixed(parseDecimal(p.re), fracBits) + BigInt(dx),
		cy: toFixed(parseDecimal(p.im), fracBits) + BigInt(dy)
	};
}

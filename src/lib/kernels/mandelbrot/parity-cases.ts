// The views on which the WGSL kernel and the CPU twin must give identical bytes. Shared by the
// fixture script, the node test (CPU twin) and the browser test (WebGPU); small on purpose, since
// SwiftShader runs WGSL on two CPU cores.
import { computeTileCpu } from './cpu-twin';
import { splitMandelbrot } from './split';
import type { MandelbrotParams } from './params';
import type { MandelbrotSpec } from './spec';
import { planView } from './view';

export interface ParityCase {
	name: string;
	centerRe: string;
	centerIm: string;
	zoom: string;
	maxIter: number;
	/** Forces at least this many limbs (the view alone may need fewer). */
	minLimbs: number;
}

const PARITY_SIDE = 64;

const MISIUREWICZ = { centerRe: '-0.10109636384562', centerIm: '0.95628651080914' };
export const PARITY_CASES: readonly ParityCase[] = [
	{ name: 'full-set-n2', centerRe: '-0.75', centerIm: '0', zoom: '1', maxIter: 200, minLimbs: 2 },
	{ name: 'full-set-n3', centerRe: '-0.75', centerIm: '0', zoom: '1', maxIter: 200, minLimbs: 3 },
	{ name: 'seahorse-n3', centerRe: '-0.7453', centerIm: '0.1127', zoom: '300', maxIter: 1000, minLimbs: 3 },
	{ name: 'seahorse-n4', centerRe: '-0.7453', centerIm: '0.1127', zoom: '300', maxIter: 1000, minLimbs: 4 },
	{ name: 'deep-1e-12-n5', ...MISIUREWICZ, zoom: '3e12', maxIter: 1000, minLimbs: 5 },
	{ name: 'deep-1e-12-n6', ...MISIUREWICZ, zoom: '3e12', maxIter: 1000, minLimbs: 6 },
	{ name: 'deep-1e-15-n5', ...MISIUREWICZ, zoom: '3e15', maxIter: 2000, minLimbs: 5 },
	{ name: 'deep-1e-15-n6', ...MISIUREWICZ, zoom: '3e15', maxIter: 2000, minLimbs: 6 },
	{ name: 'deep-i-1e-15-n7', centerRe: '0', centerIm: '1', zoom: '3e15', maxIter: 500, minLimbs: 7 },
	{ name: 'edge-n8', centerRe: '-1.99999999913827011875827476', centerIm: '0', zoom: '3e13', maxIter: 300, minLimbs: 8 }
];

/** One 64×64 tile covering the whole view of a case. */
export function parityParams(c: ParityCase): MandelbrotParams {
	const plan = planView({ ...c, width: PARITY_SIDE, height: PARITY_SIDE }, c.minLimbs);
	return { limbs: plan.limbs, maxIter: c.maxIter, x0: String(plan.left), y0: String(plan.top), step: String(plan.step), w: PARITY_SIDE, h: PARITY_SIDE };
}

/** A small whole image (several tiles, clipped edges) whose PNG bytes are pinned in the fixture. */
export const PNG_CASE: MandelbrotSpec = { centerRe: '-0.75', centerIm: '0', zoom: '1.2', width: 150, height: 100, maxIter: 300, tile: 64 };

export function pngCaseTiles(): Map<number, Uint8Array> {
	return new Map(splitMandelbrot(PNG_CASE).map((t) => [t.idx, computeTileCpu(t.params)] as const));
}

// The mandelbrot kernel's contract for the relay: validate, split into tiles, price, fit devices,
// and the requester's PNG. Imports no shader and no CPU twin, so the relay can plan and pay for
// work it can never run (compute.ts has those).
import type { KernelMeta } from '../types';
import { MandelbrotParamsSchema, type MandelbrotParams } from './params';
import { mandelbrotRequester, type MandelbrotResult } from './requester';
import { MandelbrotSpecSchema, type MandelbrotSpec } from './spec';
import { priceTileMicro, splitMandelbrot } from './split';
import { LIMBS_MAX, LIMBS_MIN, planView } from './view';

export type { MandelbrotParams, MandelbrotSpec };
export { priceTileMicro, splitMandelbrot };

/**
 * Cost classes are limb counts: the CPU twin's arithmetic changes with N (an f64 path up to 4
 * limbs, wide limbs for 5–6, 16-bit limbs beyond; about 15× apart per micro-credit), and the
 * GPU's cost per iteration grows as N².
 */
const mandelbrotCostClass = (p: Pick<MandelbrotParams, 'limbs'>): number => p.limbs - LIMBS_MIN;

/**
 * Side and iterations of each class's benchmark tile, so each costs about the same on a CPU
 * twin (10–30 ms on a laptop): the slow 16-bit-limb paths get a smaller tile and fewer.
 */
const BENCHMARK_SIDES = [64, 64, 64, 64, 64, 32, 32] as const;
const BENCHMARK_ITERATIONS = [128, 128, 128, 64, 64, 16, 16] as const;

/**
 * A square tile well inside the main cardioid (every pixel runs to maxIter, so its price is
 * exactly its work) at `cls + 2` limbs.
 */
function mandelbrotBenchmark(cls: number): { params: MandelbrotParams; priceMicro: number } {
	const limbs = cls + LIMBS_MIN;
	const maxIter = BENCHMARK_ITERATIONS[cls];
	const side = BENCHMARK_SIDES[cls];
	if (maxIter === undefined || side === undefined || limbs > LIMBS_MAX) throw new RangeError(`mandelbrot has no cost class ${cls}`);
	const plan = planView({ centerRe: '-0.1', centerIm: '0', zoom: '10', width: side, height: side }, limbs);
	const params: MandelbrotParams = {
		limbs: plan.limbs,
		maxIter,
		x0: String(plan.left),
		y0: String(plan.top),
		step: String(plan.step),
		w: side,
		h: side
	};
	return { params, priceMicro: priceTileMicro(side, side, maxIter, plan.limbs) };
}

export const mandelbrotMeta: KernelMeta<MandelbrotSpec, MandelbrotParams, MandelbrotResult> = {
	id: 'mandelbrot',
	version: 1,
	verification: 'exact',
	specSchema: MandelbrotSpecSchema,
	paramsSchema: MandelbrotParamsSchema,
	split: splitMandelbrot,
	costClasses: LIMBS_MAX - LIMBS_MIN + 1,
	costClass: mandelbrotCostClass,
	benchmarkParams: mandelbrotBenchmark,
	requester: mandelbrotRequester
};

// The mandelbrot kernel's contract for the relay: validate, split into tiles, price. Imports no
// shader and no CPU twin, so the relay can plan and pay for work it can never run.
import type { KernelMeta, TaskPlan } from '../types';
import { MandelbrotParamsSchema, type MandelbrotParams } from './params';
import { MandelbrotSpecSchema, type MandelbrotSpec } from './spec';
import { LIMBS_MAX, LIMBS_MIN, planView } from './view';

export type { MandelbrotParams, MandelbrotSpec };

/** 1 micro-credit per 10,000 pixel-iterations per limb. */
export const PIXEL_ITERATION_LIMBS_PER_MICRO = 10_000;

/** Worst-case price of a tile (every pixel runs to maxIter), so escrow can never overspend. */
export function priceTileMicro(w: number, h: number, maxIter: number, limbs: number): number {
	return Math.ceil((w * h * maxIter * limbs) / PIXEL_ITERATION_LIMBS_PER_MICRO);
}

/** Tiles of `spec.tile` squares, row-major, last row and column clipped. Deterministic. */
export function splitMandelbrot(spec: MandelbrotSpec): TaskPlan<MandelbrotParams>[] {
	const plan = planView(spec);
	const tasks: TaskPlan<MandelbrotParams>[] = [];
	for (let ty = 0; ty < spec.height; ty += spec.tile) {
		for (let tx = 0; tx < spec.width; tx += spec.tile) {
			const w = Math.min(spec.tile, spec.width - tx);
			const h = Math.min(spec.tile, spec.height - ty);
			const params: MandelbrotParams = {
				limbs: plan.limbs,
				maxIter: spec.maxIter,
				x0: String(plan.left + BigInt(tx) * plan.step),
				y0: String(plan.top - BigInt(ty) * plan.step),
				step: String(plan.step),
				w,
				h
			};
			tasks.push({
				idx: tasks.length,
				params,
				rect: { x: tx, y: ty, w, h },
				resultBytes: w * h * 4,
				priceMicro: priceTileMicro(w, h, spec.maxIter, plan.limbs)
			});
		}
	}
	return tasks;
}

/**
 * Cost classes are limb counts: the CPU twin's arithmetic changes with N (an f64 path up to 4
 * limbs, wide limbs for 5–6, 16-bit limbs beyond; about 15× apart per micro-credit), and the
 * GPU's cost per iteration grows as N².
 */
export const mandelbrotCostClass = (p: Pick<MandelbrotParams, 'limbs'>): number => p.limbs - LIMBS_MIN;

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
export function mandelbrotBenchmark(cls: number): { params: MandelbrotParams; priceMicro: number } {
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

export const mandelbrotMeta: KernelMeta<MandelbrotSpec, MandelbrotParams> = {
	id: 'mandelbrot',
	version: 1,
	verification: 'exact',
	specSchema: MandelbrotSpecSchema,
	paramsSchema: MandelbrotParamsSchema,
	split: splitMandelbrot,
	costClasses: LIMBS_MAX - LIMBS_MIN + 1,
	costClass: mandelbrotCostClass,
	benchmarkParams: mandelbrotBenchmark
};

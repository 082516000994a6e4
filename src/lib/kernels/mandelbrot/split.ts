// Splitting a render into tiles and pricing them: shared by the relay (split), the requester
// (assembly puts tiles back where split placed them) and the benchmark tiles.
import type { TaskPlan } from '../types';
import type { MandelbrotParams } from './params';
import type { MandelbrotSpec } from './spec';
import { planView } from './view';

/** 1 micro-credit per 10,000 pixel-iterations per limb. */
const PIXEL_ITERATION_LIMBS_PER_MICRO = 10_000;

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

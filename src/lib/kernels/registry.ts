// Every kernel's relay-safe contract by id (types.ts, KernelMeta): spec, split, price, device fit
// and the requester's side. No shaders, no CPU twins: the relay imports this and can never run a
// kernel. A kernel is its folder plus one line here and one in compute-registry.ts (its compute
// side, for contributors); the type there refuses a kernel registered here without one.
import { mandelbrotMeta } from './mandelbrot/meta';
import { mcPiMeta } from './mc-pi/meta';
import { sumSquaresMeta } from './sum-squares/meta';
import type { KernelMeta } from './types';

export const KERNELS = {
	mandelbrot: mandelbrotMeta,
	'mc-pi': mcPiMeta,
	'sum-squares': sumSquaresMeta
} as const;
export type KernelId = keyof typeof KERNELS;

/**
 * A kernel looked up by a runtime id. Its spec and params types are unknown: callers validate a
 * spec with `specSchema` (and params with `paramsSchema`) before `split` or `bisectSteps`.
 */
export type AnyKernelMeta = KernelMeta<unknown, unknown>;

/** The kernel with this id, or undefined for an unknown id (never throws on input). */
export function getKernel(id: string): AnyKernelMeta | undefined {
	return Object.hasOwn(KERNELS, id) ? KERNELS[id as KernelId] : undefined;
}

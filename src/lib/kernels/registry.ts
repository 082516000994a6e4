// Every kernel's relay-safe contract by id. Meta only: no shaders, no CPU twins.
import { mandelbrotMeta } from './mandelbrot/meta';

export const KERNELS = { mandelbrot: mandelbrotMeta } as const;
export type KernelId = keyof typeof KERNELS;

/** The kernel with this id, or undefined for an unknown id (never throws on input). */
export function getKernel(id: string): (typeof KERNELS)[KernelId] | undefined {
	return Object.hasOwn(KERNELS, id) ? KERNELS[id as KernelId] : undefined;
}

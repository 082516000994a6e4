// Every kernel's compute side by id (types.ts, KernelCompute): CPU twin, WebGPU runner, referee
// step. For contributors only (the compute worker, a headless worker, a referee); the relay never
// imports this. One line per kernel, beside its line in registry.ts: the `satisfies` below fails
// to compile when a registered kernel has no compute side here, or this names an unknown one.
import * as v from 'valibot';
import { mandelbrotCompute } from './mandelbrot/compute';
import { mcPiCompute } from './mc-pi/compute';
import { sumSquaresCompute } from './sum-squares/compute';
import type { KernelId } from './registry';
import type { KernelCompute, KernelOutput } from './types';

/** A kernel's compute side looked up by a runtime id: params are validated before it runs. */
export type AnyKernelCompute = KernelCompute<unknown, unknown>;

export const COMPUTE = {
	mandelbrot: mandelbrotCompute,
	'mc-pi': mcPiCompute,
	'sum-squares': sumSquaresCompute
} as const satisfies { [K in KernelId]: AnyKernelCompute };

/** The compute side of the kernel with this id, or undefined for an unknown id. */
export function getCompute(id: string): AnyKernelCompute | undefined {
	return Object.hasOwn(COMPUTE, id) ? COMPUTE[id as KernelId] : undefined;
}

/**
 * A task's kernel and its params validated with the kernel's own schema, at the boundary where
 * a task reaches a device. Throws an Error that says why it cannot run here: an unknown kernel,
 * another version of it, or params its schema refuses.
 */
export function prepareTask(kernel: string, kernelVersion: number, params: unknown): { compute: AnyKernelCompute; params: unknown } {
	const compute = getCompute(kernel);
	if (!compute) throw new Error(`unknown kernel ${kernel}`);
	const { version, paramsSchema } = compute.meta;
	if (version !== kernelVersion) throw new Error(`kernel ${kernel} is version ${version} here, the task wants ${kernelVersion}`);
	const parsed = v.safeParse(paramsSchema, params);
	if (!parsed.success) throw new Error(`invalid ${kernel} params: ${parsed.issues.map((i) => i.message).join('; ')}`);
	return { compute, params: parsed.output };
}

/** One task on the CPU twin, where no worker pool or GPU is (Node: a headless worker, tests); rejects on a task prepareTask refuses. */
export async function computeOnCpu(kernel: string, kernelVersion: number, params: unknown, signal?: AbortSignal): Promise<KernelOutput> {
	const task = prepareTask(kernel, kernelVersion, params);
	return task.compute.cpu(task.params, signal);
}

/** Every bisect kernel's one-step recomputation by id: what a key refereeing a dispute runs. */
export const REFEREE_STEPS: Readonly<Record<string, (params: unknown, index: number, prior: Uint8Array | null) => Uint8Array>> = Object.fromEntries(
	Object.entries(COMPUTE as Record<string, AnyKernelCompute>).flatMap(([id, c]) => (c.refereeStep ? [[id, c.refereeStep.bind(c)]] : []))
);

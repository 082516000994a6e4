// The mandelbrot kernel's compute side (contributors only, never the relay): the CPU twin in
// row strips that yield between them, and the WebGPU runner. Both give the same bytes.
import { abortError, CPU_SLICE_MS, yieldToEvents } from '../cpu-yield';
import type { KernelCompute, KernelOutput } from '../types';
import { computeTileCpu } from './cpu-twin';
import { createGpuMandelbrot } from './gpu';
import { mandelbrotMeta, type MandelbrotParams, type MandelbrotSpec } from './meta';

const plain = (bytes: Uint8Array): KernelOutput => ({ bytes, states: null, stateBytes: 0 });

/**
 * The CPU twin, run in horizontal strips of rows with a yield between strips. A strip is the
 * same tile with `y0` moved down by `row · step` and fewer rows; every pixel's constant is
 * computed from the same integers, so the bytes are identical to one computeTileCpu call.
 */
async function mandelbrotCpuInStrips(params: MandelbrotParams, signal?: AbortSignal): Promise<Uint8Array> {
	const out = new Uint8Array(params.w * params.h * 4);
	const y0 = BigInt(params.y0);
	const step = BigInt(params.step);
	let rows = 1;
	for (let row = 0; row < params.h; ) {
		if (signal?.aborted) throw abortError(signal);
		const h = Math.min(rows, params.h - row);
		const started = performance.now();
		const strip = computeTileCpu({ ...params, y0: String(y0 - BigInt(row) * step), h }, signal);
		out.set(strip, row * params.w * 4);
		row += h;
		const ms = performance.now() - started;
		rows = Math.max(1, Math.min(params.h, Math.round((h * CPU_SLICE_MS) / Math.max(ms, 0.5))));
		if (row < params.h) await yieldToEvents();
	}
	return out;
}

export const mandelbrotCompute: KernelCompute<MandelbrotSpec, MandelbrotParams> = {
	meta: mandelbrotMeta,
	cpu: async (params, signal) => plain(await mandelbrotCpuInStrips(params, signal)),
	createGpu(device) {
		const gpu = createGpuMandelbrot(device);
		return { compute: async (params, signal) => plain(await gpu.computeTile(params, signal)), destroy: () => gpu.destroy() };
	}
};

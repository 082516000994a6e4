// The sum-squares kernel's compute side (contributors only, never the relay): the CPU twin and
// the WebGPU runner. A range is at most 65,536 terms (well under a millisecond): no yields.
import { abortError } from '../cpu-yield';
import type { KernelCompute, KernelOutput } from '../types';
import { computeSumCpu } from './cpu-twin';
import { createGpuSumSquares } from './gpu';
import { sumSquaresMeta } from './meta';
import type { SumSquaresParams, SumSquaresSpec } from './spec';

const plain = (bytes: Uint8Array): KernelOutput => ({ bytes, states: null, stateBytes: 0 });

export const sumSquaresCompute: KernelCompute<SumSquaresSpec, SumSquaresParams> = {
	meta: sumSquaresMeta,
	async cpu(params, signal) {
		if (signal?.aborted) throw abortError(signal);
		return plain(computeSumCpu(params));
	},
	createGpu(device) {
		const gpu = createGpuSumSquares(device);
		return { compute: async (params, signal) => plain(await gpu.compute(params, signal)), destroy: () => gpu.destroy() };
	}
};

// The mc-pi kernel's compute side (contributors only, never the relay): the CPU twin step by
// step with yields, the WebGPU runner, and the referee's one-step recomputation. Every backend
// hands back the final state and all per-step states, from which the trace is committed.
import { abortError, CPU_SLICE_MS, yieldToEvents } from '../cpu-yield';
import type { KernelCompute, KernelOutput } from '../types';
import { refereeStep } from './cpu-twin';
import { createGpuMcPi } from './gpu';
import { mcPiMeta, type McPiParams, type McPiSpec } from './meta';
import { chainKey, stepHits } from './rng';
import { traceFromCounts, type McPiTrace } from './trace';

function traced(trace: McPiTrace): KernelOutput {
	const stateBytes = trace.final.length;
	const states = new Uint8Array(trace.states.length * stateBytes);
	trace.states.forEach((s, i) => states.set(s, i * stateBytes));
	return { bytes: trace.final, states, stateBytes };
}

/** The CPU twin step by step, yielding about every CPU_SLICE_MS (same counts as runChain). */
async function mcPiCpuInSlices(params: McPiParams, signal?: AbortSignal): Promise<McPiTrace> {
	const a = chainKey(params.seed, params.chain);
	const counts = new Uint32Array(params.steps);
	let sliceStarted = performance.now();
	for (let i = 0; i < params.steps; i++) {
		if (signal?.aborted) throw abortError(signal);
		counts[i] = stepHits(a, i, params.samplesPerStep);
		if (performance.now() - sliceStarted > CPU_SLICE_MS) {
			await yieldToEvents();
			sliceStarted = performance.now();
		}
	}
	return traceFromCounts(counts);
}

export const mcPiCompute: KernelCompute<McPiSpec, McPiParams> = {
	meta: mcPiMeta,
	cpu: async (params, signal) => traced(await mcPiCpuInSlices(params, signal)),
	createGpu(device) {
		const gpu = createGpuMcPi(device);
		return { compute: async (params, signal) => traced(await gpu.runChain(params, signal)), destroy: () => gpu.destroy() };
	},
	refereeStep
};

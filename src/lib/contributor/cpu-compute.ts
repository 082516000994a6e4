// Computes a lease on the CPU twins in this thread: how Node hosts (tests, the simulators) run
// the loop. The browser runs the same twins (or WebGPU) in its worker pool instead.
import type { Lease } from '../protocol/leases.js';
import { computeTileCpu } from '../kernels/mandelbrot/cpu-twin.js';
import { runChain } from '../kernels/mc-pi/cpu-twin.js';
import type { McPiTrace } from '../kernels/mc-pi/trace.js';
import type { Computed } from './ports.js';

/** A trace's states packed as the compute port hands them over (`stateBytes` each, in step order). */
export function packTrace(trace: McPiTrace): Computed {
	const stateBytes = trace.final.length;
	const states = new Uint8Array(trace.states.length * stateBytes);
	trace.states.forEach((s, i) => states.set(s, i * stateBytes));
	return { bytes: trace.final, states, stateBytes, backend: 'cpu' };
}

const CPU_TWINS: Readonly<Record<string, (params: unknown, signal: AbortSignal) => Computed>> = {
	mandelbrot: (params, signal) => ({ bytes: computeTileCpu(params, signal), states: null, stateBytes: 0, backend: 'cpu' }),
	'mc-pi': (params, signal) => packTrace(runChain(params, signal))
};

/** The kernels cpuCompute can run. */
export const CPU_KERNELS: readonly string[] = Object.keys(CPU_TWINS);

export function cpuCompute(lease: Lease, signal: AbortSignal): Computed {
	const twin = CPU_TWINS[lease.kernel];
	if (!twin) throw new Error(`no CPU twin for kernel ${lease.kernel}`);
	return twin(lease.params, signal);
}

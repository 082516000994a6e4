// Computes a lease on the CPU twins in this thread (the compute registry): how Node hosts (tests,
// the simulators) run the loop. The browser runs the same twins (or WebGPU) in its worker pool,
// the headless worker in its worker threads (cli/worker/thread-pool.ts).
import { COMPUTE, computeOnCpu } from '../kernels/compute-registry.js';
import type { McPiTrace } from '../kernels/mc-pi/trace.js';
import type { Lease } from '../protocol/leases.js';
import type { Computed } from './ports.js';

/** A trace's states packed as the compute port hands them over (`stateBytes` each, in step order). */
export function packTrace(trace: McPiTrace): Computed {
	const stateBytes = trace.final.length;
	const states = new Uint8Array(trace.states.length * stateBytes);
	trace.states.forEach((s, i) => states.set(s, i * stateBytes));
	return { bytes: trace.final, states, stateBytes, backend: 'cpu' };
}

/** The kernels cpuCompute can run: every registered one. */
export const CPU_KERNELS: readonly string[] = Object.keys(COMPUTE);

export async function cpuCompute(lease: Lease, signal: AbortSignal): Promise<Computed> {
	const out = await computeOnCpu(lease.kernel, lease.kernelVersion, lease.params, signal);
	return { ...out, backend: 'cpu' };
}

// The one compute worker entry (see DESIGN.md, "One typed worker entry"). A page or pool does
// `wrap<ComputeWorkerApi>(new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module' }))`.
// Each call names the backend to run on (the contributor picks the faster one per kernel and
// cost class by measuring both, kernel-trials.ts); a WebGPU call where this worker has no GPU
// device (none, forced off, or lost) runs on the bit-exact CPU twin, which gives the same bytes.
// Every kernel runs through the compute registry (kernels/compute-registry.ts); params are
// validated with the kernel's own schema here, at the boundary.
import { expose, transfer } from 'comlink';
import type { Backend } from '$lib/protocol';
import { prepareTask } from '$lib/kernels/compute-registry';
import { yieldToEvents } from '$lib/kernels/cpu-yield';
import { requestGpu, type GpuLimits } from '$lib/kernels/gpu-device';
import type { GpuRunner, KernelOutput } from '$lib/kernels/types';
import { abortError, releaseTransferredSignal } from './abort-signal-transfer';

export interface AdapterInfo {
	vendor: string;
	architecture: string;
	description: string;
	limits: GpuLimits;
}

export interface InitOptions {
	/** 'auto' and 'webgpu' open a WebGPU device when an adapter is available; 'cpu' never does. */
	backend: 'auto' | 'cpu' | 'webgpu';
}

export interface InitResult {
	/** What a call naming no backend runs on: WebGPU when this worker has a device. */
	backend: Backend;
	adapter: AdapterInfo | null;
}

/** A task's output (kernels/types.ts) and where it ran. */
export interface ComputeOutput extends KernelOutput {
	backend: Backend;
}

let state: InitResult | null = null;
let gpuDevice: GPUDevice | null = null;
const gpuKernels = new Map<string, GpuRunner<unknown>>();

const api = {
	/** Picks the backend once; later calls return the first answer. */
	async init(options: InitOptions): Promise<InitResult> {
		if (state) return state;
		if (options.backend !== 'cpu') {
			try {
				const gpu = await requestGpu();
				if (gpu) {
					gpuDevice = gpu.device;
					state = { backend: 'webgpu', adapter: { ...gpu.adapterInfo } };
					void gpu.device.lost.then(() => {
						// A lost device falls back to the CPU twin for the rest of this worker's life.
						gpuDevice = null;
						gpuKernels.clear();
						state = { backend: 'cpu', adapter: null };
					});
					return state;
				}
			} catch {
				// No usable adapter: the CPU twin below.
			}
		}
		state = { backend: 'cpu', adapter: null };
		return state;
	},

	/**
	 * Computes one task on `backend` (default: WebGPU when this worker has a device): its canonical
	 * result bytes, and its per-step states for bisect kernels (transferred, not copied).
	 */
	async compute(kernel: string, kernelVersion: number, params: unknown, signal?: AbortSignal, backend?: Backend): Promise<ComputeOutput> {
		try {
			const task = prepareTask(kernel, kernelVersion, params);
			if (!state) await api.init({ backend: 'auto' });
			await yieldToEvents();
			if (signal?.aborted) throw abortError(signal);
			let out: ComputeOutput;
			if (gpuDevice && backend !== 'cpu') {
				let gpu = gpuKernels.get(kernel);
				if (!gpu) {
					gpu = task.compute.createGpu(gpuDevice);
					gpuKernels.set(kernel, gpu);
				}
				out = { ...(await gpu.compute(task.params, signal)), backend: 'webgpu' };
			} else {
				out = { ...(await task.compute.cpu(task.params, signal)), backend: 'cpu' };
			}
			if (signal?.aborted) throw abortError(signal);
			const buffers = [out.bytes.buffer as ArrayBuffer];
			if (out.states && out.states.buffer !== out.bytes.buffer) buffers.push(out.states.buffer as ArrayBuffer);
			return transfer(out, buffers);
		} finally {
			releaseTransferredSignal(signal);
		}
	}
};

export type ComputeWorkerApi = typeof api;

expose(api);

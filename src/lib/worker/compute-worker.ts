// The one compute worker entry (see DESIGN.md, "One typed worker entry"). A page or pool does
// `wrap<ComputeWorkerApi>(new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module' }))`.
// Each call names the backend to run on (the contributor picks the faster one per kernel and
// cost class by measuring both, kernel-trials.ts); a WebGPU call where this worker has no GPU
// device (none, forced off, or lost) runs on the bit-exact CPU twin, which gives the same bytes.
// Params are validated with the kernel's own schema here, at the boundary.
import { expose, transfer } from 'comlink';
import * as v from 'valibot';
import type { Backend } from '$lib/protocol';
import { mandelbrotMeta } from '$lib/kernels/mandelbrot/meta';
import { computeTileCpu } from '$lib/kernels/mandelbrot/cpu-twin';
import { createGpuMandelbrot, requestGpu, type GpuLimits } from '$lib/kernels/mandelbrot/gpu';
import { mcPiMeta } from '$lib/kernels/mc-pi/meta';
import { createGpuMcPi } from '$lib/kernels/mc-pi/gpu';
import { chainKey, stepHits } from '$lib/kernels/mc-pi/rng';
import { traceFromCounts, type McPiTrace } from '$lib/kernels/mc-pi/trace';
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

/**
 * A task's output: the canonical result bytes, and for `bisect` kernels every per-step state
 * (concatenated, `stateBytes` each), from which the contributor builds the committed trace.
 */
export interface ComputeOutput {
	bytes: Uint8Array;
	states: Uint8Array | null;
	stateBytes: number;
	/** Where it ran. */
	backend: Backend;
}

/** How one kernel runs in this worker: its contract plus both backends. */
interface KernelRuntime {
	id: string;
	version: number;
	paramsSchema: v.GenericSchema;
	/** Async so that a long CPU computation yields now and then and can hear an abort. */
	cpu(params: unknown, signal?: AbortSignal): Promise<KernelOutput>;
	createGpu(device: GPUDevice): { compute(params: unknown, signal?: AbortSignal): Promise<KernelOutput>; destroy(): void };
}

type MandelbrotParams = v.InferOutput<typeof mandelbrotMeta.paramsSchema>;
type McPiParams = v.InferOutput<typeof mcPiMeta.paramsSchema>;

type KernelOutput = Omit<ComputeOutput, 'backend'>;

const plain = (bytes: Uint8Array): KernelOutput => ({ bytes, states: null, stateBytes: 0 });

function traced(trace: McPiTrace): KernelOutput {
	const stateBytes = trace.final.length;
	const states = new Uint8Array(trace.states.length * stateBytes);
	trace.states.forEach((s, i) => states.set(s, i * stateBytes));
	return { bytes: trace.final, states, stateBytes };
}

const RUNTIMES: Record<string, KernelRuntime> = {
	[mandelbrotMeta.id]: {
		id: mandelbrotMeta.id,
		version: mandelbrotMeta.version,
		paramsSchema: mandelbrotMeta.paramsSchema,
		cpu: async (params, signal) => plain(await mandelbrotCpuInStrips(params as MandelbrotParams, signal)),
		createGpu(device) {
			const gpu = createGpuMandelbrot(device);
			return { compute: async (params, signal) => plain(await gpu.computeTile(params as MandelbrotParams, signal)), destroy: () => gpu.destroy() };
		}
	},
	[mcPiMeta.id]: {
		id: mcPiMeta.id,
		version: mcPiMeta.version,
		paramsSchema: mcPiMeta.paramsSchema,
		cpu: async (params, signal) => traced(await mcPiCpuInSlices(params as McPiParams, signal)),
		createGpu(device) {
			const gpu = createGpuMcPi(device);
			return { compute: async (params, signal) => traced(await gpu.runChain(params, signal)), destroy: () => gpu.destroy() };
		}
	}
};

/**
 * Yields one macrotask so a pending abort message on a signal's port is delivered. A message
 * to ourselves rather than setTimeout(0), which nested timers clamp to 4 ms.
 */
const yieldChannel = new MessageChannel();
const yieldWaiters: (() => void)[] = [];
yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
function yieldToEvents(): Promise<void> {
	return new Promise<void>((resolve) => {
		yieldWaiters.push(resolve);
		yieldChannel.port2.postMessage(null);
	});
}

/** Rows computed between yields aim at this many ms, so an abort is heard within about that. */
const CPU_SLICE_MS = 25;

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

/** The mc-pi CPU twin step by step, yielding about every CPU_SLICE_MS (same counts as runChain). */
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

let state: InitResult | null = null;
let gpuDevice: GPUDevice | null = null;
const gpuKernels = new Map<string, ReturnType<KernelRuntime['createGpu']>>();


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
			const runtime = RUNTIMES[kernel];
			if (!runtime) throw new Error(`unknown kernel ${kernel}`);
			if (runtime.version !== kernelVersion) {
				throw new Error(`kernel ${kernel} is version ${runtime.version} here, the task wants ${kernelVersion}`);
			}
			const parsed = v.safeParse(runtime.paramsSchema, params);
			if (!parsed.success) {
				throw new Error(`invalid ${kernel} params: ${parsed.issues.map((i) => i.message).join('; ')}`);
			}
			if (!state) await api.init({ backend: 'auto' });
			await yieldToEvents();
			if (signal?.aborted) throw abortError(signal);
			let out: ComputeOutput;
			if (gpuDevice && backend !== 'cpu') {
				let gpu = gpuKernels.get(kernel);
				if (!gpu) {
					gpu = runtime.createGpu(gpuDevice);
					gpuKernels.set(kernel, gpu);
				}
				out = { ...(await gpu.compute(parsed.output, signal)), backend: 'webgpu' };
			} else {
				out = { ...(await runtime.cpu(parsed.output, signal)), backend: 'cpu' };
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

// Backend by measurement: every kernel's every cost class is timed on the CPU twin and, where the
// device has one, on WebGPU, and runs on the faster. A software adapter (SwiftShader, llvmpipe)
// is timed like any other and wins only if it really is faster; its trials are cut off early, so
// a slow adapter costs a start at most GPU_TRIALS_MS_MAX. The speeds measured here travel with
// every claim (Device.kernels), and the relay fits leases to them.
import { getKernel, KERNELS } from '../kernels/registry.js';
import type { Backend, KernelSpeed } from '../protocol/devices.js';

/** Runs of each trial; the fastest counts (the first also pays for JIT or pipeline compiles, and on WebGPU only the later ones count). */
const TRIAL_RUNS: number = 2;
/** All of a device's WebGPU trials together stop after this long; untried classes stay on the CPU. */
export const GPU_TRIALS_MS_MAX = 3_000;
/** A WebGPU run slower than this many times the CPU twin is cut off: it has lost. */
export const GPU_CUTOFF_FACTOR = 4;
/** ...but never cut off sooner than this (a GPU's fixed per-dispatch cost on tiny trials). */
const GPU_CUTOFF_MS_MIN = 50;
/** A WebGPU trial's first run compiles pipelines: it may take this long before it counts as lost. */
const GPU_FIRST_RUN_MS_MAX = 1_000;

export type ForcedBackend = Backend | null;

export interface KernelTrial {
	kernel: string;
	cls: number;
	/** The trial task's price (its work in micro-credits). */
	priceMicro: number;
	/** Fastest CPU twin run, ms. */
	cpuMs: number;
	/** Fastest WebGPU run, ms; null when there is no GPU, it was not tried, or it was cut off. */
	gpuMs: number | null;
	/** The WebGPU run was cut off: slower than GPU_CUTOFF_FACTOR × the CPU twin, or out of trial time. */
	gpuCutOff: boolean;
	/** Where this class runs, and why, in words. */
	backend: Backend;
	why: string;
	/** Micro-credits of price per second on the chosen backend. */
	speed: number;
}

/** Runs one task on one backend; rejects (AbortError) when `signal` aborts. */
export type TrialRunner = (kernel: string, version: number, params: unknown, backend: Backend, signal?: AbortSignal) => Promise<void>;

/** The faster backend, or the forced one, with the reason in words. Pure. */
export function chooseBackend(cpuMs: number, gpuMs: number | null, gpuCutOff: boolean, force: ForcedBackend, hasGpu: boolean): { backend: Backend; why: string } {
	// gpuMs null and not cut off with a GPU present: its trial time ran out on earlier classes.
	if (force === 'cpu') return { backend: 'cpu', why: 'CPU twin forced (WebGPU off)' };
	if (force === 'webgpu' && hasGpu) return { backend: 'webgpu', why: 'WebGPU forced' };
	if (!hasGpu) return { backend: 'cpu', why: 'no WebGPU on this device' };
	if (gpuMs === null) {
		return { backend: 'cpu', why: gpuCutOff ? `WebGPU was over ${GPU_CUTOFF_FACTOR}× slower (trial cut off)` : `WebGPU not tried: its ${GPU_TRIALS_MS_MAX / 1000} s of trials went on slower classes` };
	}
	if (gpuMs < cpuMs) return { backend: 'webgpu', why: `WebGPU measured ${ratio(cpuMs, gpuMs)}× faster` };
	return { backend: 'cpu', why: `WebGPU measured ${ratio(gpuMs, cpuMs)}× slower` };
}

const ratio = (slow: number, fast: number) => {
	const r = slow / Math.max(fast, 0.01);
	return r >= 10 ? Math.round(r).toString() : r.toFixed(1);
};

async function timed(run: () => Promise<void>): Promise<number> {
	const started = performance.now();
	await run();
	return performance.now() - started;
}

/** A signal that aborts after `ms` or with `outer`. */
function limit(ms: number, outer?: AbortSignal): AbortSignal {
	const t = AbortSignal.timeout(Math.max(1, Math.ceil(ms)));
	return outer ? AbortSignal.any([outer, t]) : t;
}

/**
 * Times every cost class of the given kernels on the CPU twin and on WebGPU (when `hasGpu`, and
 * unless forced to the CPU), and picks the faster per class. `signal` aborts the whole run.
 */
export async function runKernelTrials(
	run: TrialRunner,
	kernels: readonly string[],
	opts: { hasGpu: boolean; force: ForcedBackend; signal?: AbortSignal }
): Promise<KernelTrial[]> {
	const trials: KernelTrial[] = [];
	let gpuSpentMs = 0;
	for (const id of kernels) {
		const meta = getKernel(id);
		if (!meta) continue;
		for (let cls = 0; cls < meta.costClasses; cls++) {
			const { params, priceMicro } = meta.benchmarkParams(cls);
			let cpuMs = Infinity;
			for (let i = 0; i < TRIAL_RUNS; i++) cpuMs = Math.min(cpuMs, await timed(() => run(id, meta.version, params, 'cpu', opts.signal)));
			let gpuMs: number | null = null;
			let gpuCutOff = false;
			const forced = opts.force === 'webgpu';
			if (opts.hasGpu && opts.force !== 'cpu' && (forced || gpuSpentMs < GPU_TRIALS_MS_MAX)) {
				const cutoff = Math.max(GPU_CUTOFF_MS_MIN, GPU_CUTOFF_FACTOR * cpuMs);
				// Forced: one run, compile included (a slower, so safer, speed for the relay's leases).
				const runs = forced ? 1 : TRIAL_RUNS;
				for (let i = 0; i < runs; i++) {
					// Forced to WebGPU: measured in full, however slow, so its speed is the truth.
					const left = GPU_TRIALS_MS_MAX - gpuSpentMs;
					const allowed = forced ? Infinity : Math.min(left, i === 0 ? Math.max(cutoff, GPU_FIRST_RUN_MS_MAX) : cutoff);
					const started = performance.now();
					try {
						const ms = await timed(() => run(id, meta.version, params, 'webgpu', allowed === Infinity ? opts.signal : limit(allowed, opts.signal)));
						if (i > 0 || runs < 2) gpuMs = gpuMs === null ? ms : Math.min(gpuMs, ms);
					} catch (err) {
						if (opts.signal?.aborted) throw err;
						gpuCutOff = true;
						gpuMs = null;
						break;
					} finally {
						gpuSpentMs += performance.now() - started;
					}
				}
			}
			const choice = chooseBackend(cpuMs, gpuMs, gpuCutOff, opts.force, opts.hasGpu);
			const ms = choice.backend === 'webgpu' ? (gpuMs ?? cpuMs) : cpuMs;
			trials.push({ kernel: id, cls, priceMicro, cpuMs, gpuMs, gpuCutOff, backend: choice.backend, why: choice.why, speed: round2((priceMicro * 1000) / Math.max(ms, 0.1)) });
		}
	}
	return trials;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** What a device advertises from its trials. */
/** The kernel whose first cost class (the shallowest fractal tiles) gives the one overall score. */
const SCORE_KERNEL = KERNELS.mandelbrot.id;

/**
 * The one score older relays read (Device.score): the speed of SCORE_KERNEL's class 0 on its
 * chosen backend, else the first trial's (a device that takes no fractal tiles), else 0.
 */
export function deviceScore(trials: readonly KernelTrial[]): number {
	return trials.find((t) => t.kernel === SCORE_KERNEL && t.cls === 0)?.speed ?? trials[0]?.speed ?? 0;
}

export function kernelSpeeds(trials: readonly KernelTrial[]): KernelSpeed[] {
	return trials.map((t) => ({ kernel: t.kernel, cls: t.cls, backend: t.backend, speed: t.speed }));
}

/** The backend a task runs on: its kernel's trial for the task's cost class. */
export function backendForTask(trials: readonly KernelTrial[], kernel: string, params: unknown, fallback: Backend): Backend {
	const meta = getKernel(kernel);
	if (!meta) return fallback;
	let cls = 0;
	try {
		cls = meta.costClass(params);
	} catch {
		return fallback;
	}
	return trials.find((t) => t.kernel === kernel && t.cls === cls)?.backend ?? fallback;
}

/** One line per kernel for the contribute page: where its classes run and why. */
export function describeTrials(trials: readonly KernelTrial[]): { kernel: string; backend: string; why: string }[] {
	const byKernel = new Map<string, KernelTrial[]>();
	for (const t of trials) byKernel.set(t.kernel, [...(byKernel.get(t.kernel) ?? []), t]);
	return [...byKernel].map(([kernel, ts]) => {
		const backends = new Set(ts.map((t) => t.backend));
		if (backends.size === 1) {
			const backend = ts[0]?.backend === 'webgpu' ? 'WebGPU' : 'CPU twin';
			return { kernel, backend, why: [...new Set(ts.map((t) => t.why))].join('; ') };
		}
		const gpu = ts.filter((t) => t.backend === 'webgpu').length;
		return { kernel, backend: 'WebGPU and CPU twin', why: `${gpu} of ${ts.length} precision classes measured faster on WebGPU; ${summarise(ts)}` };
	});
}

function summarise(ts: readonly KernelTrial[]): string {
	return ts.map((t) => `class ${t.cls}: ${t.backend === 'webgpu' ? 'WebGPU' : 'CPU'} (${t.why})`).join('; ');
}

// What this device advertises with each claim: a stable id, a readable label, cores, memory
// class, its WebGPU adapter's limits, and a benchmark score measured once per start by running
// a real task of the mandelbrot kernel on the backend the workers use.
import * as v from 'valibot';
import { mandelbrotMeta, splitMandelbrot } from '$lib/kernels/mandelbrot/meta';
import { MandelbrotSpecSchema } from '$lib/kernels/mandelbrot/spec';
import type { Device } from '$lib/protocol';
import type { InitResult } from '$lib/worker/compute-worker';
import type { ComputePool } from '$lib/worker/pool';

/** One 64 × 64 tile at 300 iterations: a few tens of ms on a laptop's CPU twin. */
const BENCHMARK_SPEC = v.parse(MandelbrotSpecSchema, { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 300, tile: 64 });
/** Runs of the benchmark task; the fastest counts (the first pays for compiling a GPU pipeline). */
const BENCHMARK_RUNS = 3;

/**
 * Work units per second of one worker: the benchmark task's price (every kernel prices 1 µcr per
 * 10,000 basic operations) over the fastest of BENCHMARK_RUNS runs.
 */
export async function benchmarkScore(pool: ComputePool, slot: number, signal?: AbortSignal): Promise<number> {
	const [task] = splitMandelbrot(BENCHMARK_SPEC);
	if (!task) throw new Error('the benchmark spec makes no task');
	let best = Infinity;
	for (let i = 0; i < BENCHMARK_RUNS; i++) {
		const started = performance.now();
		await pool.compute(slot, mandelbrotMeta.id, mandelbrotMeta.version, task.params, signal);
		best = Math.min(best, performance.now() - started);
	}
	return Math.round((task.priceMicro / Math.max(best, 0.1)) * 1000 * 100) / 100;
}

/** "Chrome on Linux", from what the browser tells (User-Agent Client Hints where it has them). */
export function deviceLabel(nav: Navigator = navigator): string {
	const hints = (nav as Navigator & { userAgentData?: { brands?: { brand: string }[]; platform?: string } }).userAgentData;
	const ua = nav.userAgent;
	const brand = hints?.brands?.map((b) => b.brand).find((b) => !/not.a.brand|chromium/i.test(b)) ?? (/Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser');
	const platform = hints?.platform || (/Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'unknown OS');
	return `${brand} on ${platform}`.slice(0, 64);
}

export function deviceProfile(id: string, init: InitResult, score: number): Device {
	const nav = navigator as Navigator & { deviceMemory?: number };
	const limits = init.adapter?.limits;
	return {
		id,
		label: deviceLabel(),
		cores: Math.max(1, Math.min(1024, nav.hardwareConcurrency || 1)),
		memoryGb: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : 0,
		gpu:
			init.adapter && limits
				? {
						vendor: init.adapter.vendor.slice(0, 64),
						architecture: init.adapter.architecture.slice(0, 64),
						maxBufferSize: limits.maxBufferSize,
						maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
						maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
						maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension
					}
				: null,
		score
	};
}

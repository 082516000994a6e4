// `npm run bench -- worker [--tiles N]`: the headless worker's compute path (cli/worker's thread
// pool: one worker thread per slot, the kernels' CPU twins from the compute registry) on the same
// Mandelbrot tiles with 1 thread and with every core, tiles per second and their ratio (target:
// at least 0.8 × the threads); then the same tiles on the same CPU twin in Chromium (bundled
// with esbuild and run in a page, as the browser's compute worker runs it), against 1 thread in
// Node. Compute only: no relay round trips, which a claim loop adds on top of either.
import { availableParallelism } from 'node:os';
import * as v from 'valibot';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';
import { getKernel } from '../src/lib/kernels/registry';
import type { Lease } from '../src/lib/protocol/leases';
import { ThreadPool } from '../cli/worker/thread-pool';
import { report } from './report';

const BENCH = 'worker';
/** A view where every tile costs about the same (inside and around the main cardioid). */
const SPEC = { centerRe: '-0.6', centerIm: '0', zoom: '1.5', width: 1024, height: 512, maxIter: 400, tile: 128 };

function tiles(count: number): Lease[] {
	const kernel = getKernel('mandelbrot');
	if (!kernel) throw new Error('mandelbrot is not registered');
	const plans = kernel.split(v.parse(kernel.specSchema, SPEC));
	return Array.from({ length: count }, (_, i) => {
		const p = plans[i % plans.length]!;
		return { leaseId: `bench-${i}`, taskId: `t${i}`, jobId: 'bench', kernel: kernel.id, kernelVersion: kernel.version, params: p.params, resultBytes: p.resultBytes, expiresAt: Number.MAX_SAFE_INTEGER };
	});
}

/** Tiles per second through a pool of `threads`, each slot taking the next tile as it frees. */
async function poolRate(threads: number, work: Lease[]): Promise<number> {
	const pool = new ThreadPool(threads);
	const signal = new AbortController().signal;
	try {
		// Warm-up: each thread loads tsx and the kernel, and the JIT sees the loop.
		await Promise.all(Array.from({ length: threads }, (_, slot) => pool.compute(slot, work[slot % work.length]!, signal)));
		let next = 0;
		const started = performance.now();
		await Promise.all(
			Array.from({ length: threads }, async (_, slot) => {
				for (let i = next++; i < work.length; i = next++) await pool.compute(slot, work[i]!, signal);
			})
		);
		return work.length / ((performance.now() - started) / 1000);
	} finally {
		await pool.close();
	}
}

/** The same tiles on the CPU twin in a Chromium page (one thread, as one browser worker). */
async function browserRate(work: Lease[]): Promise<number> {
	const bundle = await build({
		stdin: {
			contents: `import { computeOnCpu } from './src/lib/kernels/compute-registry';
globalThis.benchTiles = async (tasks) => { for (const t of tasks.slice(0, 2)) await computeOnCpu(t.kernel, t.kernelVersion, t.params);
 const t0 = performance.now(); for (const t of tasks) await computeOnCpu(t.kernel, t.kernelVersion, t.params); return tasks.length / ((performance.now() - t0) / 1000); };`,
			resolveDir: new URL('..', import.meta.url).pathname,
			loader: 'ts'
		},
		bundle: true,
		format: 'iife',
		platform: 'browser',
		write: false,
		logLevel: 'silent'
	});
	const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
	try {
		const page = await browser.newPage();
		await page.setContent('<!doctype html><title>bench</title>');
		await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
		return await page.evaluate(async (tasks) => (globalThis as unknown as { benchTiles(t: unknown[]): Promise<number> }).benchTiles(tasks), work.map(({ kernel, kernelVersion, params }) => ({ kernel, kernelVersion, params })));
	} finally {
		await browser.close();
	}
}

export async function main(args: string[]): Promise<void> {
	const at = args.indexOf('--tiles');
	const count = at >= 0 ? Number(args[at + 1]) : 128;
	if (!Number.isSafeInteger(count) || count < 4 || count > 10_000) throw new Error('--tiles must be a whole number from 4 to 10000');
	const cores = availableParallelism();
	const work = tiles(count);
	const one = await poolRate(1, work);
	report(BENCH, 'tiles_per_s_1_thread', one, 'tiles/s');
	const all = await poolRate(cores, work);
	const line = report(BENCH, `tiles_per_s_${cores}_threads`, all, 'tiles/s', { metric: 'tiles_per_s_1_thread', value: one });
	report(BENCH, 'scaling_per_thread', (line.ratio ?? 0) / cores, 'ratio÷threads (target ≥ 0.8)');
	const page = await browserRate(work);
	report(BENCH, 'tiles_per_s_chromium_cpu_twin', page, 'tiles/s', { metric: 'tiles_per_s_1_thread', value: one });
}

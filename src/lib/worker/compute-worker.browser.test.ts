// Runs in real Chromium (vitest browser project): the comlink worker, its AbortSignal transfer,
// and the pool's abort guarantee.
import { releaseProxy, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { computeTileCpu } from '$lib/kernels/mandelbrot/cpu-twin';
import { mandelbrotMeta } from '$lib/kernels/mandelbrot/meta';
import { mcPiMeta } from '$lib/kernels/mc-pi/meta';
import { runChain } from '$lib/kernels/mc-pi/cpu-twin';
import { COMPUTE } from '$lib/kernels/compute-registry';
import { isAbortError } from './abort-signal-transfer';
import type { ComputeWorkerApi } from './compute-worker';
import { ComputePool } from './pool';

const spec = (over: Partial<Parameters<typeof mandelbrotMeta.split>[0]> = {}) =>
	mandelbrotMeta.split({ centerRe: '-0.75', centerIm: '0.1', zoom: '2', width: 96, height: 80, maxIter: 300, tile: 64, ...over });

/** A tile inside the main cardioid: every pixel runs all 50,000 iterations (seconds of work). */
const heavyParams = () => {
	const task = mandelbrotMeta.split({ centerRe: '-0.1', centerIm: '0', zoom: '100', width: 256, height: 256, maxIter: 50_000, tile: 256 })[0];
	if (!task) throw new Error('no task');
	return task.params;
};

const cleanups: (() => void)[] = [];
afterEach(() => {
	while (cleanups.length) cleanups.pop()?.();
});

function spawnWorker() {
	const worker = new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module' });
	const api = wrap<ComputeWorkerApi>(worker);
	cleanups.push(() => {
		api[releaseProxy]();
		worker.terminate();
	});
	return api;
}

describe('compute worker (comlink)', () => {
	it('computes tiles byte-identical to computeTileCpu, including clipped edge tiles', async () => {
		const api = spawnWorker();
		expect(await api.init({ backend: 'cpu' })).toEqual({ backend: 'cpu', adapter: null });
		const tasks = spec();
		expect(tasks.length).toBe(4);
		for (const task of tasks) {
			const { bytes, states } = await api.compute('mandelbrot', 1, task.params);
			expect(states).toBeNull();
			expect(bytes).toBeInstanceOf(Uint8Array);
			expect(bytes.length).toBe(task.resultBytes);
			expect(bytes).toEqual(computeTileCpu(task.params));
		}
	});

	it('refuses invalid params, unknown kernels and other kernel versions', async () => {
		const api = spawnWorker();
		await api.init({ backend: 'cpu' });
		const task = spec()[0];
		if (!task) throw new Error('no task');
		await expect(api.compute('mandelbrot', 1, { ...task.params, w: 0 })).rejects.toThrow(/invalid mandelbrot params/);
		await expect(api.compute('nope', 1, task.params)).rejects.toThrow(/unknown kernel/);
		await expect(api.compute('mandelbrot', 2, task.params)).rejects.toThrow(/version/);
	});

	it('hears an AbortSignal passed through comlink and rejects promptly, then keeps working', async () => {
		const api = spawnWorker();
		await api.init({ backend: 'cpu' });
		const controller = new AbortController();
		const started = performance.now();
		const call = api.compute('mandelbrot', 1, heavyParams(), controller.signal);
		setTimeout(() => controller.abort(), 200);
		const err = await call.then(
			() => null,
			(e: unknown) => e
		);
		const elapsed = performance.now() - started;
		expect(isAbortError(err)).toBe(true);
		expect(elapsed).toBeLessThan(1_000);
		// The same worker still answers: it was not stuck, it stopped.
		const small = spec()[0];
		if (!small) throw new Error('no task');
		expect((await api.compute('mandelbrot', 1, small.params)).bytes).toEqual(computeTileCpu(small.params));
	});

	it('rejects at once when the signal is already aborted', async () => {
		const api = spawnWorker();
		await api.init({ backend: 'cpu' });
		const err = await api.compute('mandelbrot', 1, heavyParams(), AbortSignal.abort()).catch((e: unknown) => e);
		expect(isAbortError(err)).toBe(true);
	});

	it('picks WebGPU when asked for auto and an adapter exists, with the same bytes as the CPU twin', async () => {
		const api = spawnWorker();
		const init = await api.init({ backend: 'auto' });
		// Both answers are valid: headless Chromium may or may not expose an adapter here.
		expect(['webgpu', 'cpu']).toContain(init.backend);
		if (init.backend === 'webgpu') expect(init.adapter).not.toBeNull();
		for (const task of spec({ maxIter: 1000 })) {
			expect((await api.compute('mandelbrot', 1, task.params)).bytes).toEqual(computeTileCpu(task.params));
		}
	});
});

describe('compute worker: mc-pi (bisect kernel)', () => {
	const chains = mcPiMeta.split({ seed: 99, chains: 3, steps: 64, samplesPerStep: 4096 });
	for (const backend of ['cpu', 'auto'] as const) {
		it(`returns the final state and every per-step state the CPU twin commits to (${backend})`, async () => {
			const api = spawnWorker();
			await api.init({ backend });
			for (const chain of chains) {
				const twin = runChain(chain.params);
				const out = await api.compute('mc-pi', 1, chain.params);
				expect(out.bytes).toEqual(twin.final);
				expect(out.stateBytes).toBe(8);
				const states = out.states as Uint8Array;
				expect(states.length).toBe(64 * 8);
				twin.states.forEach((st, i) => expect(states.subarray(i * 8, i * 8 + 8)).toEqual(st));
			}
		});
	}
});

describe('compute worker: every registered kernel', () => {
	// Through the compute registry alone, so a kernel added there is run here too: each cost
	// class's benchmark task gives the same bytes and states on the worker's default backend
	// (WebGPU where Chromium has an adapter) as on its CPU twin.
	it('computes every cost class on both backends with identical bytes and states', async () => {
		const cpu = spawnWorker();
		await cpu.init({ backend: 'cpu' });
		const auto = spawnWorker();
		const init = await auto.init({ backend: 'auto' });
		for (const { meta } of Object.values(COMPUTE)) {
			for (let cls = 0; cls < meta.costClasses; cls++) {
				const { params } = meta.benchmarkParams(cls);
				const twin = await cpu.compute(meta.id, meta.version, params);
				const out = await auto.compute(meta.id, meta.version, params);
				expect(twin.backend).toBe('cpu');
				expect(out.backend, `${meta.id} class ${cls}`).toBe(init.backend);
				expect(out.bytes, `${meta.id} class ${cls}`).toEqual(twin.bytes);
				expect(out.states, `${meta.id} class ${cls}`).toEqual(twin.states);
				expect(out.stateBytes).toBe(twin.stateBytes);
			}
		}
	});
});

describe('compute pool', () => {
	it('runs one task per slot and matches the CPU twin', async () => {
		const pool = new ComputePool(2, { backend: 'cpu' });
		cleanups.push(() => pool.terminate());
		expect((await pool.init()).backend).toBe('cpu');
		const tasks = spec();
		const results = await Promise.all(tasks.map((t, i) => pool.compute(i % 2, 'mandelbrot', 1, t.params)));
		results.forEach((out, i) => expect(out.bytes).toEqual(computeTileCpu(tasks[i]!.params)));
	});

	it('rejects promptly on abort and stays usable', async () => {
		const pool = new ComputePool(1, { backend: 'cpu' });
		cleanups.push(() => pool.terminate());
		await pool.init();
		const controller = new AbortController();
		const call = pool.compute(0, 'mandelbrot', 1, heavyParams(), controller.signal);
		await new Promise((r) => setTimeout(r, 150));
		const abortedAt = performance.now();
		controller.abort();
		const err = await call.catch((e: unknown) => e);
		expect(isAbortError(err)).toBe(true);
		expect(performance.now() - abortedAt).toBeLessThan(50);
		const small = spec()[0];
		if (!small) throw new Error('no task');
		expect((await pool.compute(0, 'mandelbrot', 1, small.params)).bytes).toEqual(computeTileCpu(small.params));
	});

	// A call made right after an abort must not land on a worker that is about to be replaced
	// (CI once saw "compute worker was terminated" here on a loaded machine). Grace 0 forces
	// the replacement path; the default grace usually lets the worker answer instead.
	for (const abortGraceMs of [0, undefined]) {
		it(`a call made straight after an abort succeeds (grace ${abortGraceMs ?? 'default'})`, async () => {
			const pool = new ComputePool(1, { backend: 'cpu' }, abortGraceMs === undefined ? {} : { abortGraceMs });
			cleanups.push(() => pool.terminate());
			await pool.init();
			const small = spec()[0];
			if (!small) throw new Error('no task');
			for (let round = 0; round < 3; round++) {
				const controller = new AbortController();
				const call = pool.compute(0, 'mandelbrot', 1, heavyParams(), controller.signal);
				await new Promise((r) => setTimeout(r, 50));
				controller.abort();
				const next = pool.compute(0, 'mandelbrot', 1, small.params);
				expect(isAbortError(await call.catch((e: unknown) => e))).toBe(true);
				expect((await next).bytes).toEqual(computeTileCpu(small.params));
			}
		});
	}
});

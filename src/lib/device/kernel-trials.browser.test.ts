// Backend by measurement in real Chromium: the compute pool runs each kernel class on the CPU twin
// and on WebGPU (SwiftShader here, a software adapter), and the contributor takes the faster.
import { afterEach, describe, expect, it } from 'vitest';
import { computeTileCpu } from '$lib/kernels/mandelbrot/cpu-twin';
import { mandelbrotMeta } from '$lib/kernels/mandelbrot/meta';
import { ComputePool } from '$lib/worker/pool';
import { describeTrials, GPU_TRIALS_MS_MAX, runKernelTrials, type TrialRunner } from './kernel-trials';

const pools: ComputePool[] = [];
afterEach(() => {
	while (pools.length) pools.pop()?.terminate();
});

async function gpuPool() {
	const pool = new ComputePool(1, { backend: 'auto' });
	pools.push(pool);
	const init = await pool.init();
	return { pool, init, run: (async (kernel, version, params, backend, signal) => void (await pool.compute(0, kernel, version, params, signal, backend))) as TrialRunner };
}

describe('kernel trials', () => {
	it('each call runs on the backend it names, and both give the same bytes', async () => {
		const { pool, init } = await gpuPool();
		expect(init.adapter, 'this suite needs Chromium with --enable-unsafe-webgpu').not.toBeNull();
		const { params } = mandelbrotMeta.benchmarkParams(1);
		const cpu = await pool.compute(0, 'mandelbrot', 1, params, undefined, 'cpu');
		const gpu = await pool.compute(0, 'mandelbrot', 1, params, undefined, 'webgpu');
		expect(cpu.backend).toBe('cpu');
		expect(gpu.backend).toBe('webgpu');
		expect(gpu.bytes).toEqual(cpu.bytes);
		expect(cpu.bytes).toEqual(computeTileCpu(params));
	});

	it('times every class on both backends, runs each on the faster, and keeps a slow adapter’s trials short', async () => {
		const { run, init } = await gpuPool();
		const started = performance.now();
		const trials = await runKernelTrials(run, ['mandelbrot', 'mc-pi'], { hasGpu: init.adapter !== null, force: null });
		const ms = performance.now() - started;
		expect(trials.map((t) => `${t.kernel}:${t.cls}`)).toEqual([...Array.from({ length: mandelbrotMeta.costClasses }, (_, i) => `mandelbrot:${i}`), 'mc-pi:0']);
		let gpuMs = 0;
		for (const t of trials) {
			expect(t.cpuMs).toBeGreaterThan(0);
			expect(t.speed).toBeGreaterThan(0);
			if (t.gpuMs !== null) gpuMs += t.gpuMs;
			// The faster wins; a trial cut off (too slow, or out of trial time) stays on the CPU.
			if (t.backend === 'webgpu') expect(t.gpuMs).not.toBeNull();
			if (t.gpuMs !== null) expect(t.backend).toBe(t.gpuMs < t.cpuMs ? 'webgpu' : 'cpu');
			else expect(t.backend).toBe('cpu');
		}
		// Counted runs only; the cap also covers the compile runs.
		expect(gpuMs).toBeLessThan(GPU_TRIALS_MS_MAX + 2_000);
		console.log(`kernel trials on ${init.adapter?.architecture ?? 'no adapter'}: ${Math.round(ms)} ms in all`);
		for (const t of trials) console.log(`  ${t.kernel}:${t.cls} cpu ${t.cpuMs.toFixed(1)} ms, webgpu ${t.gpuMs === null ? (t.gpuCutOff ? 'cut off' : '—') : `${t.gpuMs.toFixed(1)} ms`} → ${t.backend} (${t.why})`);
		expect(describeTrials(trials).map((d) => d.kernel)).toEqual(['mandelbrot', 'mc-pi']);
	});

	it('forced onto WebGPU, every class runs there and is measured in full', async () => {
		const { run, init } = await gpuPool();
		const trials = await runKernelTrials(run, ['mc-pi'], { hasGpu: init.adapter !== null, force: 'webgpu' });
		expect(trials).toHaveLength(1);
		expect(trials[0]).toMatchObject({ backend: 'webgpu', gpuCutOff: false, why: 'WebGPU forced' });
		expect(trials[0]?.gpuMs).toBeGreaterThan(0);
	});
});

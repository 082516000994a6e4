import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { computeTileCpu } from '$lib/kernels/mandelbrot/cpu-twin';
import { mandelbrotMeta } from '$lib/kernels/mandelbrot/meta';
import { runChain } from '$lib/kernels/mc-pi/cpu-twin';
import { backendForTask, chooseBackend, GPU_CUTOFF_FACTOR, kernelSpeeds, runKernelTrials, type TrialRunner } from './kernel-trials';

describe('choosing a backend', () => {
	it('takes the faster measured one, the forced one, or the CPU twin where there is no GPU', () => {
		expect(chooseBackend(10, 2, false, null, true)).toEqual({ backend: 'webgpu', why: 'WebGPU measured 5.0× faster' });
		expect(chooseBackend(10, 400, false, null, true)).toEqual({ backend: 'cpu', why: 'WebGPU measured 40× slower' });
		expect(chooseBackend(10, null, true, null, true)).toEqual({ backend: 'cpu', why: `WebGPU was over ${GPU_CUTOFF_FACTOR}× slower (trial cut off)` });
		expect(chooseBackend(10, null, false, null, false).backend).toBe('cpu');
		expect(chooseBackend(10, 400, false, 'webgpu', true).backend).toBe('webgpu');
		expect(chooseBackend(10, 2, false, 'cpu', true).backend).toBe('cpu');
		// Forced onto WebGPU without a GPU: the CPU twin is all there is.
		expect(chooseBackend(10, null, false, 'webgpu', false).backend).toBe('cpu');
	});
});

// The real CPU twins, run in Node: what a device without WebGPU measures.
const cpuOnly: TrialRunner = async (kernel, _version, params, backend) => {
	if (backend !== 'cpu') throw new Error('no GPU here');
	if (kernel === 'mandelbrot') computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, params));
	else runChain(params);
};

describe('kernel trials without WebGPU', () => {
	it('measures every cost class on the CPU twin, with speeds in micro-credits per second', async () => {
		const trials = await runKernelTrials(cpuOnly, ['mandelbrot', 'mc-pi', 'no-such-kernel'], { hasGpu: false, force: null });
		expect(trials).toHaveLength(mandelbrotMeta.costClasses + 1);
		for (const t of trials) {
			expect(t.backend).toBe('cpu');
			expect(t.gpuMs).toBeNull();
			expect(t.speed).toBeCloseTo((t.priceMicro * 1000) / Math.max(t.cpuMs, 0.1), 1);
		}
		expect(kernelSpeeds(trials)[0]).toEqual({ kernel: 'mandelbrot', cls: 0, backend: 'cpu', speed: trials[0]?.speed });
	});

	it('runs a task on its cost class’s backend', () => {
		const trials = [0, 1, 2].map((cls) => ({ kernel: 'mandelbrot', cls, priceMicro: 1, cpuMs: 1, gpuMs: 1, gpuCutOff: false, backend: cls === 1 ? ('webgpu' as const) : ('cpu' as const), why: '', speed: 1 }));
		expect(backendForTask(trials, 'mandelbrot', { limbs: 3 }, 'cpu')).toBe('webgpu');
		expect(backendForTask(trials, 'mandelbrot', { limbs: 2 }, 'webgpu')).toBe('cpu');
		// Unknown class or kernel: the fallback.
		expect(backendForTask(trials, 'mandelbrot', { limbs: 8 }, 'webgpu')).toBe('webgpu');
		expect(backendForTask(trials, 'nope', {}, 'cpu')).toBe('cpu');
	});
});

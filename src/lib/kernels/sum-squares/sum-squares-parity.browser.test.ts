// Browser half of the parity proof, in real Chromium (--enable-unsafe-webgpu, SwiftShader): the
// WGSL kernel must give exactly the CPU twin's bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestGpu, type GpuHandle } from '../gpu-device';
import { computeSumCpu } from './cpu-twin';
import { createGpuSumSquares, type GpuSumSquares } from './gpu';
import type { SumSquaresParams } from './spec';

let gpu: GpuHandle;
let kernel: GpuSumSquares;

beforeAll(async () => {
	const handle = await requestGpu();
	if (!handle) {
		throw new Error('WebGPU unavailable: navigator.gpu.requestAdapter() gave no adapter. The parity suite needs Chromium with --enable-unsafe-webgpu (SwiftShader); it is never skipped.');
	}
	gpu = handle;
	kernel = createGpuSumSquares(gpu.device);
});

afterAll(() => {
	kernel?.destroy();
	gpu?.device.destroy();
});

const CASES: { name: string; params: SumSquaresParams }[] = [
	{ name: 'one term', params: { from: 7, to: 8 } },
	{ name: 'fewer terms than invocations', params: { from: 0, to: 5 } },
	{ name: 'a partial last stride', params: { from: 100, to: 1_000 } },
	{ name: 'largest terms: carries into the high word', params: { from: 65_000, to: 65_536 } },
	{ name: 'the whole range', params: { from: 0, to: 65_536 } }
];

describe('sum-squares WGSL vs CPU twin', () => {
	it.each(CASES)('$name: identical bytes', async ({ params }) => {
		expect(Array.from(await kernel.compute(params))).toEqual(Array.from(computeSumCpu(params)));
	});

	it('honours an abort', async () => {
		const ctl = new AbortController();
		ctl.abort();
		await expect(kernel.compute(CASES[0]!.params, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
	});
});

// Browser half of the parity proof, in real Chromium (--enable-unsafe-webgpu, SwiftShader): the
// WGSL kernel must give exactly the CPU twin's states, leaves and Merkle root.
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestGpu, type GpuHandle } from '../gpu-device';
import { runChain } from './cpu-twin';
import { BATCH_SAMPLES_MAX, batchSteps, createGpuMcPi, type GpuMcPi } from './gpu';
import type { McPiParams } from './params';

let gpu: GpuHandle;
let kernel: GpuMcPi;

beforeAll(async () => {
	const handle = await requestGpu();
	if (!handle) {
		throw new Error('WebGPU unavailable: navigator.gpu.requestAdapter() gave no adapter. The parity suite needs Chromium with --enable-unsafe-webgpu (SwiftShader); it is never skipped.');
	}
	gpu = handle;
	kernel = createGpuMcPi(gpu.device);
});

afterAll(() => {
	kernel?.destroy();
	gpu?.device.destroy();
});

const CASES: { name: string; params: McPiParams }[] = [
	{ name: 'known answer (1000 samples: a partial workgroup)', params: { seed: 12345, chain: 3, steps: 8, samplesPerStep: 1000 } },
	{ name: 'smallest steps and samples', params: { seed: 0, chain: 0, steps: 2, samplesPerStep: 64 } },
	{ name: 'top seed and chain, odd sample count', params: { seed: 0xffffffff, chain: 1023, steps: 4, samplesPerStep: 4099 } },
	{ name: '1024 steps in one batch', params: { seed: 99, chain: 17, steps: 1024, samplesPerStep: 64 } },
	{ name: 'largest steps: several batches', params: { seed: 7, chain: 5, steps: 64, samplesPerStep: 65_536 } }
];

describe('mc-pi WGSL vs CPU twin', () => {
	it('runs on a real adapter', () => {
		expect(gpu.adapterInfo.vendor.length + gpu.adapterInfo.architecture.length).toBeGreaterThan(0);
	});

	it.each(CASES)('$name: identical states, final state and root', async ({ params }) => {
		const cpu = runChain(params);
		const got = await kernel.runChain(params);
		const firstDiff = got.states.findIndex((s, i) => bytesToHex(s) !== bytesToHex(cpu.states[i]!));
		expect(firstDiff, `first divergent step ${firstDiff + 1}`).toBe(-1);
		expect(got.states).toHaveLength(params.steps);
		expect(bytesToHex(got.final)).toBe(bytesToHex(cpu.final));
		expect(bytesToHex(got.root)).toBe(bytesToHex(cpu.root));
	});

	it('batches by BATCH_SAMPLES_MAX and honours abort', async () => {
		const big = CASES[4]!.params;
		expect(batchSteps(big)).toBe(BATCH_SAMPLES_MAX / 65_536);
		expect(batchSteps(CASES[3]!.params)).toBe(1024);
		const ctl = new AbortController();
		ctl.abort();
		await expect(kernel.runChain(big, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
		await expect(kernel.runChain({ ...big, steps: 3 })).rejects.toThrow();
	});
});

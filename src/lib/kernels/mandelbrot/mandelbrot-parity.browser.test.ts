// Browser half of the parity proof, in real Chromium (--enable-unsafe-webgpu, SwiftShader): the
// WGSL kernel must produce exactly the CPU twin's bytes and the fixture hashes the node test checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import fixture from '../../../../test/samples/mandelbrot-parity.json';
import { colourize } from './colour';
import { computeTileCpu } from './cpu-twin';
import { requestGpu, type GpuHandle } from '../gpu-device';
import { createGpuMandelbrot, type GpuMandelbrot } from './gpu';
import { PNG_CASE, pngCaseTiles } from './parity-cases';
import { assemblePng } from './png';

let gpu: GpuHandle;
let kernel: GpuMandelbrot;

beforeAll(async () => {
	const handle = await requestGpu();
	if (!handle) {
		throw new Error('WebGPU unavailable: navigator.gpu.requestAdapter() gave no adapter. The parity suite needs Chromium with --enable-unsafe-webgpu (SwiftShader); it is never skipped.');
	}
	gpu = handle;
	kernel = createGpuMandelbrot(gpu.device);
});

afterAll(() => {
	kernel?.destroy();
	gpu?.device.destroy();
});

describe('mandelbrot WGSL vs CPU twin', () => {
	it('runs on a real adapter', () => {
		expect(gpu.adapterInfo.vendor.length + gpu.adapterInfo.architecture.length).toBeGreaterThan(0);
	});
	it.each(fixture.cases)('$name: identical bytes and hash', async (c) => {
		const gpuBytes = await kernel.computeTile(c.params);
		const cpuBytes = computeTileCpu(c.params);
		expect(gpuBytes.length).toBe(c.params.w * c.params.h * 4);
		expect(bytesToHex(sha256(cpuBytes))).toBe(c.sha256);
		if (bytesToHex(sha256(gpuBytes)) !== c.sha256) {
			let differ = 0;
			for (let i = 0; i < gpuBytes.length; i += 4) if (gpuBytes[i] !== cpuBytes[i] || gpuBytes[i + 1] !== cpuBytes[i + 1]) differ++;
			expect.fail(`${c.name}: WGSL differs from the CPU twin on ${differ} of ${c.params.w * c.params.h} pixels`);
		}
	});
	it('splits long tiles into row bands and honours abort between them', async () => {
		const c = fixture.cases.find((x) => x.name === 'deep-1e-15-n6')!;
		const ctl = new AbortController();
		ctl.abort();
		await expect(kernel.computeTile(c.params, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
		// maxIter high enough that bandRows() gives several bands: the result is still exact
		const big = { ...c.params, maxIter: 20_000, h: 16 };
		expect(bytesToHex(sha256(await kernel.computeTile(big)))).toBe(bytesToHex(sha256(computeTileCpu(big))));
	});
});

describe('colouring and PNG in Chromium', () => {
	it('give the same bytes as in Node (hashes pinned by the fixture)', () => {
		const ramp = new Uint32Array(50_001).map((_, i) => i);
		expect(bytesToHex(sha256(new Uint8Array(colourize(ramp, 50_000).buffer)))).toBe(fixture.colourSha256);
		expect(bytesToHex(sha256(assemblePng(PNG_CASE, pngCaseTiles())))).toBe(fixture.pngSha256);
	});
});

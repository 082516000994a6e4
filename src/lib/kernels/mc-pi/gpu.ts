// WebGPU backend: runs mc-pi-wgsl.ts step batch by step batch and builds the same states, leaves
// and root as the CPU twin (trace.ts). Batches are bounded so an abort lands between them and no
// dispatch nears a watchdog.
import { PARAMS_WORDS, SAMPLES_PER_WORKGROUP, mcPiWgsl } from './mc-pi-wgsl';
import { parseParams, type McPiParams } from './params';
import { chainKey } from './rng';
import { traceFromCounts, type McPiTrace } from './trace';

/** Samples per submit (a few ms on a laptop GPU, well under a second on SwiftShader). */
export const BATCH_SAMPLES_MAX = 2 ** 20;

export interface GpuMcPi {
	runChain(params: unknown, signal?: AbortSignal): Promise<McPiTrace>;
	destroy(): void;
}

function abortError(): DOMException {
	return new DOMException('mc-pi chain aborted', 'AbortError');
}

/** Steps per submit: as many as fit in BATCH_SAMPLES_MAX samples, at least one (≤ STEPS_MAX, far under the 65,535 workgroups a dispatch allows in y). */
export function batchSteps(p: McPiParams): number {
	return Math.max(1, Math.min(p.steps, Math.floor(BATCH_SAMPLES_MAX / p.samplesPerStep)));
}

export function createGpuMcPi(device: GPUDevice): GpuMcPi {
	let pipe: Promise<GPUComputePipeline> | null = null;
	const pipeline = (): Promise<GPUComputePipeline> => {
		if (!pipe) {
			const module = device.createShaderModule({ label: 'mc-pi', code: mcPiWgsl });
			const p = device.createComputePipelineAsync({ label: 'mc-pi', layout: 'auto', compute: { module, entryPoint: 'main' } });
			p.catch(() => (pipe = null)); // a failed compile is retried next time, not cached
			pipe = p;
		}
		return pipe;
	};

	async function runChain(params: unknown, signal?: AbortSignal): Promise<McPiTrace> {
		const p = parseParams(params);
		if (signal?.aborted) throw abortError();
		const compute = await pipeline();
		const batch = batchSteps(p);
		const countBytes = batch * 4;
		const paramsBuf = device.createBuffer({ size: PARAMS_WORDS * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
		const countsBuf = device.createBuffer({ size: countBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
		const readBuf = device.createBuffer({ size: countBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
		try {
			const bindGroup = device.createBindGroup({
				layout: compute.getBindGroupLayout(0),
				entries: [
					{ binding: 0, resource: { buffer: paramsBuf } },
					{ binding: 1, resource: { buffer: countsBuf } }
				]
			});
			const a = chainKey(p.seed, p.chain);
			const counts = new Uint32Array(p.steps);
			for (let first = 0; first < p.steps; first += batch) {
				if (signal?.aborted) throw abortError();
				const n = Math.min(batch, p.steps - first);
				device.queue.writeBuffer(paramsBuf, 0, new Uint32Array([a, p.samplesPerStep, first, 0]));
				const enc = device.createCommandEncoder();
				enc.clearBuffer(countsBuf, 0, n * 4);
				const pass = enc.beginComputePass();
				pass.setPipeline(compute);
				pass.setBindGroup(0, bindGroup);
				pass.dispatchWorkgroups(Math.ceil(p.samplesPerStep / SAMPLES_PER_WORKGROUP), n);
				pass.end();
				enc.copyBufferToBuffer(countsBuf, 0, readBuf, 0, n * 4);
				device.queue.submit([enc.finish()]);
				await readBuf.mapAsync(GPUMapMode.READ, 0, n * 4);
				counts.set(new Uint32Array(readBuf.getMappedRange(0, n * 4)), first);
				readBuf.unmap();
			}
			return traceFromCounts(counts);
		} finally {
			paramsBuf.destroy();
			countsBuf.destroy();
			readBuf.destroy();
		}
	}

	return {
		runChain,
		destroy() {
			pipe = null;
		}
	};
}

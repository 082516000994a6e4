// WebGPU backend: runs sum-squares-wgsl.ts on one range and returns the CPU twin's bytes.
import type { SumSquaresParams } from './spec';
import { RESULT_BYTES } from './sum';
import { PARAMS_WORDS, sumSquaresWgsl } from './sum-squares-wgsl';

export interface GpuSumSquares {
	compute(params: SumSquaresParams, signal?: AbortSignal): Promise<Uint8Array>;
	destroy(): void;
}

function abortError(): DOMException {
	return new DOMException('sum-squares range aborted', 'AbortError');
}

export function createGpuSumSquares(device: GPUDevice): GpuSumSquares {
	let pipe: Promise<GPUComputePipeline> | null = null;
	const pipeline = (): Promise<GPUComputePipeline> => {
		if (!pipe) {
			const module = device.createShaderModule({ label: 'sum-squares', code: sumSquaresWgsl });
			const p = device.createComputePipelineAsync({ label: 'sum-squares', layout: 'auto', compute: { module, entryPoint: 'main' } });
			p.catch(() => (pipe = null)); // a failed compile is retried next time, not cached
			pipe = p;
		}
		return pipe;
	};

	async function compute(params: SumSquaresParams, signal?: AbortSignal): Promise<Uint8Array> {
		if (signal?.aborted) throw abortError();
		const compute = await pipeline();
		const paramsBuf = device.createBuffer({ size: PARAMS_WORDS * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
		const outBuf = device.createBuffer({ size: RESULT_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
		const readBuf = device.createBuffer({ size: RESULT_BYTES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
		try {
			device.queue.writeBuffer(paramsBuf, 0, new Uint32Array([params.from, params.to, 0, 0]));
			const bindGroup = device.createBindGroup({
				layout: compute.getBindGroupLayout(0),
				entries: [
					{ binding: 0, resource: { buffer: paramsBuf } },
					{ binding: 1, resource: { buffer: outBuf } }
				]
			});
			const enc = device.createCommandEncoder();
			const pass = enc.beginComputePass();
			pass.setPipeline(compute);
			pass.setBindGroup(0, bindGroup);
			pass.dispatchWorkgroups(1);
			pass.end();
			enc.copyBufferToBuffer(outBuf, 0, readBuf, 0, RESULT_BYTES);
			device.queue.submit([enc.finish()]);
			await readBuf.mapAsync(GPUMapMode.READ);
			// Two u32 words, low first, each little-endian in the buffer: the u64 LE result bytes.
			const out = new Uint8Array(readBuf.getMappedRange().slice(0));
			readBuf.unmap();
			if (signal?.aborted) throw abortError();
			return out;
		} finally {
			paramsBuf.destroy();
			outBuf.destroy();
			readBuf.destroy();
		}
	}

	return {
		compute,
		destroy() {
			pipe = null;
		}
	};
}

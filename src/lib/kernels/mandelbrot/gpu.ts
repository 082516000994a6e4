// WebGPU backend: runs mandelbrot-wgsl.ts and returns the same bytes as the CPU twin. Long tiles
// are dispatched in row bands so an abort lands between bands and no dispatch nears a watchdog.
import { toLimbs } from './limbs';
import { PARAMS_HEADER_WORDS, ROW_START_WORD, WORKGROUP_X, mandelbrotWgsl, paramsWords } from './mandelbrot-wgsl';
import { decodeParams, type TileJob } from './params';

/** Work per band in pixel·iteration·limb² units (a few ms on a laptop GPU, ~25 ms on SwiftShader). */
const BAND_WORK_MAX = 2 ** 26;

export interface GpuMandelbrot {
	computeTile(params: unknown, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>>;
	destroy(): void;
}

function abortError(): DOMException {
	return new DOMException('mandelbrot tile aborted', 'AbortError');
}

/** Rows per dispatch so that one band stays under BAND_WORK_MAX (at least one row). */
function bandRows(job: TileJob): number {
	const perRow = job.w * job.maxIter * job.limbs * job.limbs;
	return Math.max(1, Math.min(job.h, Math.floor(BAND_WORK_MAX / perRow)));
}

function paramsWordsOf(job: TileJob): Uint32Array<ArrayBuffer> {
	const words = new Uint32Array(paramsWords(job.limbs));
	words.set([job.w, job.h, job.maxIter, 0]);
	words.set(toLimbs(job.x0, job.limbs), PARAMS_HEADER_WORDS);
	words.set(toLimbs(job.y0, job.limbs), PARAMS_HEADER_WORDS + job.limbs);
	words.set(toLimbs(job.step, job.limbs), PARAMS_HEADER_WORDS + 2 * job.limbs);
	return words;
}

export function createGpuMandelbrot(device: GPUDevice): GpuMandelbrot {
	const pipelines = new Map<number, Promise<GPUComputePipeline>>();
	const pipeline = (limbs: number): Promise<GPUComputePipeline> => {
		let p = pipelines.get(limbs);
		if (!p) {
			const module = device.createShaderModule({ label: `mandelbrot-${limbs}`, code: mandelbrotWgsl(limbs) });
			p = device.createComputePipelineAsync({ label: `mandelbrot-${limbs}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
			p.catch(() => pipelines.delete(limbs)); // a failed compile is retried next time, not cached
			pipelines.set(limbs, p);
		}
		return p;
	};

	async function computeTile(params: unknown, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
		const job = decodeParams(params);
		if (signal?.aborted) throw abortError();
		const pipe = await pipeline(job.limbs);
		const words = paramsWordsOf(job);
		const bytes = job.w * job.h * 4;
		const paramsBuf = device.createBuffer({ size: words.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
		const outBuf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
		const readBuf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
		try {
			device.queue.writeBuffer(paramsBuf, 0, words);
			const bindGroup = device.createBindGroup({
				layout: pipe.getBindGroupLayout(0),
				entries: [
					{ binding: 0, resource: { buffer: paramsBuf } },
					{ binding: 1, resource: { buffer: outBuf } }
				]
			});
			const rows = bandRows(job);
			for (let row = 0; row < job.h; row += rows) {
				if (signal?.aborted) throw abortError();
				device.queue.writeBuffer(paramsBuf, ROW_START_WORD * 4, new Uint32Array([row]));
				const enc = device.createCommandEncoder();
				const pass = enc.beginComputePass();
				pass.setPipeline(pipe);
				pass.setBindGroup(0, bindGroup);
				pass.dispatchWorkgroups(Math.ceil(job.w / WORKGROUP_X), Math.min(rows, job.h - row));
				pass.end();
				device.queue.submit([enc.finish()]);
				await device.queue.onSubmittedWorkDone();
			}
			if (signal?.aborted) throw abortError();
			const enc = device.createCommandEncoder();
			enc.copyBufferToBuffer(outBuf, 0, readBuf, 0, bytes);
			device.queue.submit([enc.finish()]);
			await readBuf.mapAsync(GPUMapMode.READ);
			const out = new Uint8Array(readBuf.getMappedRange().slice(0));
			readBuf.unmap();
			return out;
		} finally {
			paramsBuf.destroy();
			outBuf.destroy();
			readBuf.destroy();
		}
	}

	return {
		computeTile,
		destroy() {
			pipelines.clear();
		}
	};
}

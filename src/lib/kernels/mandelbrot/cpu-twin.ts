// The CPU twin of mandelbrot-wgsl.ts: same integers, same bytes, no GPU. Picks the fastest exact
// path for the limb count (cpu-f64.ts for N ≤ 4, cpu-split.ts for N = 5, 6,
// cpu-limbs.ts otherwise).
import { countsToBytes } from './counts';
import { escapeCount16, escapeCount32, escapeCount48 } from './cpu-f64';
import { escapeCountLimbs, limbScratch, setLimbs } from './cpu-limbs';
import { escapeCount64, escapeCount80, split64, split80 } from './cpu-split';
import { decodeParams, type TileJob } from './params';

function abortError(): DOMException {
	return new DOMException('mandelbrot tile aborted', 'AbortError');
}

/** One row of counts through an f64 path (N ≤ 4: every |c| ≤ 2^51, exact in f64). */
function rowF64(job: TileJob, py: number, out: Uint32Array, count: (cx: number, cy: number, maxIter: number) => number): void {
	const cy = Number(job.y0 - BigInt(py) * job.step);
	const x0 = Number(job.x0);
	const step = Number(job.step);
	const base = py * job.w;
	for (let px = 0; px < job.w; px++) out[base + px] = count(x0 + px * step, cy, job.maxIter);
}

/** N = 5, 6: every pixel constant as four limbs (columns once per tile, rows once per row). */
function countsSplit(job: TileJob, out: Uint32Array, signal?: AbortSignal): void {
	const split = job.limbs === 5 ? split64 : split80;
	const count = job.limbs === 5 ? escapeCount64 : escapeCount80;
	const xs = new Float64Array(4 * job.w);
	for (let px = 0; px < job.w; px++) xs.set(split(job.x0 + BigInt(px) * job.step), 4 * px);
	for (let py = 0; py < job.h; py++) {
		if (signal?.aborted) throw abortError();
		const [y0, y1, y2, y3] = split(job.y0 - BigInt(py) * job.step);
		const base = py * job.w;
		for (let px = 0, j = 0; px < job.w; px++, j += 4) {
			out[base + px] = count(xs[j]!, xs[j + 1]!, xs[j + 2]!, xs[j + 3]!, y0, y1, y2, y3, job.maxIter);
		}
	}
}

/** Computes a tile's counts; throws an AbortError DOMException when `signal` aborts (checked per row). */
export function computeCountsCpu(job: TileJob, signal?: AbortSignal): Uint32Array<ArrayBuffer> {
	const out = new Uint32Array(job.w * job.h);
	if (job.limbs === 5 || job.limbs === 6) {
		countsSplit(job, out, signal);
		return out;
	}
	const f64 = job.limbs === 2 ? escapeCount16 : job.limbs === 3 ? escapeCount32 : job.limbs === 4 ? escapeCount48 : null;
	const sc = f64 ? null : limbScratch(job.limbs);
	for (let py = 0; py < job.h; py++) {
		if (signal?.aborted) throw abortError();
		if (f64) {
			rowF64(job, py, out, f64);
			continue;
		}
		if (!sc) throw new Error('unreachable: no scratch for the limb path');
		setLimbs(job.y0 - BigInt(py) * job.step, sc.cy, sc.n);
		for (let px = 0; px < job.w; px++) {
			setLimbs(job.x0 + BigInt(px) * job.step, sc.cx, sc.n);
			out[py * job.w + px] = escapeCountLimbs(sc, job.maxIter);
		}
	}
	return out;
}

/** The kernel entry: validated params → result bytes (w·h u32 little-endian counts, row-major). */
export function computeTileCpu(params: unknown, signal?: AbortSignal): Uint8Array<ArrayBuffer> {
	return countsToBytes(computeCountsCpu(decodeParams(params), signal));
}

// The arithmetic contract, written as plainly as possible in BigInt. Slow; tests compare every
// fast path (CPU twin, WGSL) against it. See README.md for the definition.
import type { TileJob } from './params';

/** floor(X² / 2^F): exact, since X² ≥ 0. */
export function sqRef(x: bigint, fracBits: number): bigint {
	return (x * x) >> BigInt(fracBits);
}

function assertRange(x: bigint, limit: bigint, what: string): void {
	if (x > limit || x < -limit) throw new RangeError(`${what} out of range: ${x}`);
}

/** Escape count of one pixel constant (cx, cy), fixed point with `fracBits` fraction bits. */
export function escapeCountRef(cx: bigint, cy: bigint, fracBits: number, maxIter: number): number {
	const one = 1n << BigInt(fracBits);
	const four = 4n * one;
	// |c| ≤ 4 keeps |x|, |y| < 8.5 and |x + y| < 17 (view.ts): far inside the 16-bit integer limb.
	const xyLimit = (17n * one) / 2n;
	assertRange(cx, four, 'cx');
	assertRange(cy, four, 'cy');
	let x = 0n;
	let y = 0n;
	let i = 0;
	while (i < maxIter) {
		assertRange(x, xyLimit, 'x');
		assertRange(y, xyLimit, 'y');
		const x2 = sqRef(x, fracBits);
		const y2 = sqRef(y, fracBits);
		if (x2 + y2 > four) break;
		const s = sqRef(x + y, fracBits);
		y = s - x2 - y2 + cy;
		x = x2 - y2 + cx;
		i += 1;
	}
	return i;
}

/** A whole tile through the reference: w·h counts, row-major, row 0 at the top. */
export function computeTileRef(job: TileJob): Uint32Array<ArrayBuffer> {
	const out = new Uint32Array(job.w * job.h);
	for (let py = 0; py < job.h; py++) {
		const cy = job.y0 - BigInt(py) * job.step;
		for (let px = 0; px < job.w; px++) {
			out[py * job.w + px] = escapeCountRef(job.x0 + BigInt(px) * job.step, cy, job.fracBits, job.maxIter);
		}
	}
	return out;
}

// A render's tiles put back together: the counts of every tile placed where split put it.
import { bytesToCounts } from './counts';
import type { MandelbrotSpec } from './spec';
import { splitMandelbrot } from './split';

/** All tiles' counts placed into one width×height array. Throws if a tile is missing or mis-sized. */
export function assembleCounts(spec: MandelbrotSpec, tiles: ReadonlyMap<number, Uint8Array>): Uint32Array {
	const all = new Uint32Array(spec.width * spec.height);
	for (const task of splitMandelbrot(spec)) {
		const bytes = tiles.get(task.idx);
		if (!bytes) throw new RangeError(`tile ${task.idx} is missing`);
		if (bytes.length !== task.resultBytes) throw new RangeError(`tile ${task.idx}: expected ${task.resultBytes} bytes, got ${bytes.length}`);
		const counts = bytesToCounts(bytes);
		const { x, y, w, h } = task.rect;
		for (let row = 0; row < h; row++) all.set(counts.subarray(row * w, row * w + w), (y + row) * spec.width + x);
	}
	return all;
}

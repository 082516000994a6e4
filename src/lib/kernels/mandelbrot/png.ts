// Whole-image assembly for the requester: tiles of counts → one PNG. fast-png is pure JS, so the
// browser and Node produce the same bytes for the same counts.
import { encode } from 'fast-png';
import { colourize } from './colour';

import { bytesToCounts } from './counts';
import { splitMandelbrot } from './split';
import type { MandelbrotSpec } from './spec';

// The page draws tiles as they arrive with the same colouring the PNG uses.
export { tileToImageData } from './colour';

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

/** The finished image as PNG bytes (RGBA, 8 bits per channel). */
export function assemblePng(spec: MandelbrotSpec, tiles: ReadonlyMap<number, Uint8Array>): Uint8Array {
	const data = colourize(assembleCounts(spec, tiles), spec.maxIter);
	return encode({ width: spec.width, height: spec.height, data, channels: 4, depth: 8 });
}

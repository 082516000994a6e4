// Whole-image encoding for the requester: tiles of counts → one PNG. fast-png is pure JS, so the
// browser and Node produce the same bytes for the same counts.
import { encode } from 'fast-png';
import { colourize } from './colour';
import type { MandelbrotSpec } from './spec';
import { assembleCounts } from './tiles';

/** RGBA pixels (8 bits per channel) as PNG bytes. */
export function encodePng(width: number, height: number, rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
	return encode({ width, height, data: rgba, channels: 4, depth: 8 });
}

/** The finished image as PNG bytes (RGBA, 8 bits per channel). */
export function assemblePng(spec: MandelbrotSpec, tiles: ReadonlyMap<number, Uint8Array>): Uint8Array {
	return encodePng(spec.width, spec.height, colourize(assembleCounts(spec, tiles), spec.maxIter));
}

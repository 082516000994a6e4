// Requester-side colouring of exact counts. Only integer arithmetic and Math.sqrt (correctly
// rounded by IEEE 754, so identical in every engine): the same counts give the same pixels anywhere.
import { bytesToCounts } from './counts';

type Rgb = readonly [number, number, number];

/** Deep blue → blue → teal → gold → white, then back to deep blue: one cycle. */
export const PALETTE: readonly Rgb[] = [
	[4, 10, 48],
	[16, 54, 140],
	[18, 142, 160],
	[122, 200, 150],
	[246, 196, 60],
	[255, 248, 232]
];
/** Palette distance between stops, in 1/256ths of sqrt(count): 1.5 units of sqrt(count). */
const SEGMENT_LENGTH = 384;
const CYCLE = PALETTE.length * SEGMENT_LENGTH;

/** RGBA of one count: in-set pixels (count ≥ maxIter) black, others by sqrt(count) along the palette. */
function paint(count: number, maxIter: number, out: Uint8ClampedArray, o: number): void {
	out[o + 3] = 255;
	if (count >= maxIter) {
		out[o] = out[o + 1] = out[o + 2] = 0;
		return;
	}
	// floor(256·sqrt(count)); count·65536 < 2^32 is exact, so every engine gets the same integer
	const pos = (Math.floor(Math.sqrt(count * 65536)) + CYCLE - 256) % CYCLE;
	const seg = Math.floor(pos / SEGMENT_LENGTH);
	const frac = pos - seg * SEGMENT_LENGTH;
	const a = PALETTE[seg]!;
	const b = PALETTE[(seg + 1) % PALETTE.length]!;
	for (let k = 0; k < 3; k++) out[o + k] = a[k]! + Math.trunc(((b[k]! - a[k]!) * frac) / SEGMENT_LENGTH);
}

/** Counts → RGBA pixels (4 bytes each, row-major, same order as the counts). */
export function colourize(counts: Uint32Array, maxIter: number): Uint8ClampedArray<ArrayBuffer> {
	const out = new Uint8ClampedArray(counts.length * 4);
	for (let i = 0; i < counts.length; i++) paint(counts[i]!, maxIter, out, i * 4);
	return out;
}

/** A tile's result bytes → RGBA for `new ImageData(data, w, h)`. Throws on a wrong length. */
export function tileToImageData(countsBytes: Uint8Array, w: number, h: number, maxIter: number): Uint8ClampedArray<ArrayBuffer> {
	if (countsBytes.length !== w * h * 4) throw new RangeError(`expected ${w * h * 4} bytes, got ${countsBytes.length}`);
	return colourize(bytesToCounts(countsBytes), maxIter);
}

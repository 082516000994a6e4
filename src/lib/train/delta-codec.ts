// Compressed adapter deltas: the top-k entries by magnitude, quantised to int8 with one scale
// per block of 64 kept entries, indices gap-coded as varints. With error feedback the peer
// adds what the last message left out to the next delta, so nothing is lost for good, only late.

const MAGIC = 0x4d594344; // 'MYCD'
const VERSION = 1;
/** Kept entries that share one int8 scale. */
const QUANT_BLOCK = 64;
/** Largest delta accepted, in parameters (the adapter is far smaller). */
const DELTA_PARAMS_MAX = 1 << 22;

export interface EncodedDelta {
	bytes: Uint8Array;
	/** What the receiver will decode: the dense delta this message stands for. */
	decoded: Float32Array;
}

/** Indices of the k largest |x|, in increasing index order. */
function topK(x: Float32Array, k: number): Uint32Array {
	if (k >= x.length) return Uint32Array.from({ length: x.length }, (_, i) => i);
	// Threshold by selecting on a copy of the magnitudes: O(n log n), fine at adapter sizes.
	const mags = Float32Array.from(x, Math.abs).sort();
	const threshold = mags[x.length - k]!;
	const out = new Uint32Array(k);
	let n = 0;
	for (let i = 0; i < x.length && n < k; i++) if (Math.abs(x[i]!) > threshold) out[n++] = i;
	for (let i = 0; i < x.length && n < k; i++) if (Math.abs(x[i]!) === threshold) out[n++] = i;
	return out.sort();
}

function writeVarint(out: number[], v: number): void {
	while (v >= 0x80) {
		out.push((v & 0x7f) | 0x80);
		v >>>= 7;
	}
	out.push(v);
}

/** Encodes `delta` keeping `keepShare` of its entries; the dense result of decoding is returned too. */
export function encodeDelta(delta: Float32Array, keepShare: number): EncodedDelta {
	if (!(keepShare > 0 && keepShare <= 1)) throw new RangeError('keepShare must be in (0, 1]');
	if (delta.length > DELTA_PARAMS_MAX) throw new RangeError(`a delta of ${delta.length} parameters is over the limit`);
	for (const v of delta) if (!Number.isFinite(v)) throw new RangeError('the delta has a non-finite entry');
	const k = Math.max(1, Math.min(delta.length, Math.round(delta.length * keepShare)));
	const idx = topK(delta, k);
	const blocks = Math.ceil(k / QUANT_BLOCK);
	const header = new DataView(new ArrayBuffer(16));
	header.setUint32(0, MAGIC, true);
	header.setUint8(4, VERSION);
	header.setUint32(8, delta.length, true);
	header.setUint32(12, k, true);
	const scales = new Float32Array(blocks);
	const q = new Int8Array(k);
	const decoded = new Float32Array(delta.length);
	for (let b = 0; b < blocks; b++) {
		let max = 0;
		for (let i = b * QUANT_BLOCK; i < Math.min(k, (b + 1) * QUANT_BLOCK); i++) max = Math.max(max, Math.abs(delta[idx[i]!]!));
		const scale = max / 127;
		scales[b] = scale;
		for (let i = b * QUANT_BLOCK; i < Math.min(k, (b + 1) * QUANT_BLOCK); i++) {
			const v = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(delta[idx[i]!]! / scale)));
			q[i] = v;
			// Read back from the int8 store, as the receiver will (a rounded -0 becomes 0).
			decoded[idx[i]!] = q[i]! * Math.fround(scale);
		}
	}
	const gaps: number[] = [];
	let prev = 0;
	for (let i = 0; i < k; i++) {
		writeVarint(gaps, idx[i]! - prev);
		prev = idx[i]!;
	}
	const bytes = new Uint8Array(16 + blocks * 4 + k + gaps.length);
	bytes.set(new Uint8Array(header.buffer), 0);
	bytes.set(new Uint8Array(scales.buffer), 16);
	bytes.set(new Uint8Array(q.buffer), 16 + blocks * 4);
	bytes.set(gaps, 16 + blocks * 4 + k);
	return { bytes, decoded };
}

/** Decodes a message into a dense delta of `expectedSize`; throws on anything malformed. */
export function decodeDelta(bytes: Uint8Array, expectedSize: number): Float32Array {
	if (bytes.length < 16) throw new Error('delta: message too short');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (view.getUint32(0, true) !== MAGIC || view.getUint8(4) !== VERSION) throw new Error('delta: not a Mycelia delta');
	const size = view.getUint32(8, true);
	const k = view.getUint32(12, true);
	if (size !== expectedSize) throw new Error(`delta: ${size} parameters, the adapter has ${expectedSize}`);
	if (k < 1 || k > size) throw new Error('delta: bad entry count');
	const blocks = Math.ceil(k / QUANT_BLOCK);
	const gapsAt = 16 + blocks * 4 + k;
	if (bytes.length < gapsAt + k) throw new Error('delta: message truncated');
	const scales = new Float32Array(bytes.slice(16, 16 + blocks * 4).buffer);
	const q = new Int8Array(bytes.buffer, bytes.byteOffset + 16 + blocks * 4, k);
	const out = new Float32Array(size);
	let at = gapsAt;
	let index = 0;
	for (let i = 0; i < k; i++) {
		let gap = 0;
		let shift = 0;
		for (;;) {
			if (at >= bytes.length || shift > 28) throw new Error('delta: bad index encoding');
			const byte = bytes[at++]!;
			gap |= (byte & 0x7f) << shift;
			if (byte < 0x80) break;
			shift += 7;
		}
		index += gap;
		if ((i > 0 && gap === 0) || index >= size) throw new Error('delta: indices out of order or out of range');
		const scale = scales[Math.floor(i / QUANT_BLOCK)]!;
		if (!Number.isFinite(scale) || scale < 0) throw new Error('delta: bad scale');
		out[index] = q[i]! * scale;
	}
	if (at !== bytes.length) throw new Error('delta: trailing bytes');
	return out;
}

/**
 * Error feedback on the peer: compress delta + residual, keep what the message missed as the
 * next residual (updated in place). Without feedback the residual stays zero.
 */
export function compressWithFeedback(delta: Float32Array, residual: Float32Array, keepShare: number, feedback = true): EncodedDelta {
	const target = feedback ? delta.map((v, i) => v + residual[i]!) : delta;
	const enc = encodeDelta(target, keepShare);
	if (feedback) for (let i = 0; i < residual.length; i++) residual[i] = target[i]! - enc.decoded[i]!;
	return enc;
}

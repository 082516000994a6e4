// The wire form of a tile result: w·h u32 iteration counts, little-endian, row-major.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Counts → result bytes (little-endian on every host). Shares memory on little-endian hosts. */
export function countsToBytes(counts: Uint32Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
	if (LITTLE_ENDIAN) return new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength);
	const out = new Uint8Array(counts.length * 4);
	const view = new DataView(out.buffer);
	counts.forEach((c, i) => view.setUint32(i * 4, c, true));
	return out;
}

/** Result bytes → counts. Throws when the length is not a multiple of 4. */
export function bytesToCounts(bytes: Uint8Array): Uint32Array {
	if (bytes.length % 4 !== 0) throw new RangeError('result length must be a multiple of 4');
	if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
	const out = new Uint32Array(bytes.length / 4);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
	return out;
}

// A range's result and its wire form: the exact sum as a u64, little-endian (8 bytes). Every sum
// here is below 2^47, exact in an f64, so plain numbers carry it.
export const RESULT_BYTES = 8;
const U32 = 0x1_0000_0000;

export function encodeSum(sum: number): Uint8Array<ArrayBuffer> {
	if (!Number.isSafeInteger(sum) || sum < 0) throw new RangeError(`a sum must be a whole number from 0, got ${sum}`);
	const out = new Uint8Array(RESULT_BYTES);
	const view = new DataView(out.buffer);
	view.setUint32(0, sum % U32, true);
	view.setUint32(4, Math.floor(sum / U32), true);
	return out;
}

/** Result bytes → the sum; throws a RangeError on anything but 8 bytes or a sum beyond 2^53. */
export function decodeSum(bytes: Uint8Array): number {
	if (bytes.length !== RESULT_BYTES) throw new RangeError(`a result is ${RESULT_BYTES} bytes, got ${bytes.length}`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const sum = view.getUint32(4, true) * U32 + view.getUint32(0, true);
	if (!Number.isSafeInteger(sum)) throw new RangeError('a sum beyond 2^53 is no sum of this kernel');
	return sum;
}

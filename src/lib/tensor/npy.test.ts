import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, readRawF32, writeNpy } from './npy';

// Files written by NumPy 2.4's np.save (hex), so the format is checked against NumPy, not ourselves.
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
/** A 1.0 header of 118 bytes (0x76), as NumPy pads it: the dict, spaces, a newline. */
function header(descr: string, fortran: string, shape: string): string {
	const dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
	return Buffer.from(dict + ' '.repeat(117 - dict.length) + '\n').toString('hex');
}
const file = (descr: string, fortran: string, shape: string, data: string) => hex('934e554d50590100' + '7600' + header(descr, fortran, shape) + data);
/** np.arange(6, dtype='<f4').reshape(2, 3) / 4 */
const C32 = file('<f4', 'False', '(2, 3)', '000000000000803e0000003f0000403f0000803f0000a03f');
/** np.asfortranarray([[0.1, 0.2, 0.3], [1e-50, -2.5, nan]], dtype='<f8') */
const F64 = file('<f8', 'True', '(2, 3)', '9a9999999999b93f1fb8d44a7aee8d359a9999999999c93f00000000000004c0333333333333d33f000000000000f87f');
/** np.array([1.5, -3, 7e30], dtype='>f4') */
const BE = file('>f4', 'False', '(3,)', '3fc00000c040000072b0b471');

describe('.npy', () => {
	it('reads NumPy float32, float64 in Fortran order and big-endian files', () => {
		expect(readNpy(C32)).toEqual({ shape: [2, 3], data: Float32Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]) });
		const f = readNpy(F64);
		expect(f.shape).toEqual([2, 3]);
		expect(Array.from(f.data)).toEqual([0.1, 0.2, 0.3, 0, -2.5, NaN].map(Math.fround));
		expect(readNpy(BE).data).toEqual(Float32Array.from([1.5, -3, 7e30]));
	});

	it('writes byte for byte what NumPy writes, and reads back what it wrote', () => {
		expect(writeNpy({ shape: [2, 3], data: Float32Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]) })).toEqual(C32);
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), fc.integer(), (shape, seed) => {
				const n = shape.reduce((a, b) => a * b, 1);
				const data = Float32Array.from(fc.sample(fc.float(), { numRuns: Math.max(n, 1), seed }).slice(0, n));
				const bytes = writeNpy({ shape, data });
				expect((bytes.length - data.length * 4) % 64).toBe(0);
				expect(readNpy(bytes)).toEqual({ shape, data });
			})
		);
	});

	it('refuses what it cannot read, in words', () => {
		const refused = (bytes: Uint8Array, words: RegExp) => expect(() => readNpy(bytes)).toThrow(words);
		refused(new TextEncoder().encode('hello, world'), /not a \.npy file/);
		refused(file('<i4', 'False', '(2, 3)', '00'.repeat(24)), /dtype <i4 is not accepted/);
		refused(C32.subarray(0, C32.length - 4), /needs 24 bytes of float32 data, the file has 20/);
		refused(C32.subarray(0, 60), /ends inside its header/);
		refused(Uint8Array.from([...C32.subarray(0, 6), 2, 0, 0, 0]), /ends inside its header/);
		refused(file('<f8', 'False', '(1,)', '000000000000f07f'.replace('f07f', 'ef7f')), /beyond float32's range/);
		refused(file('<f4', 'False', '(65536, 65536)', ''), /at most 268435456/);
		expect(() => readNpy(C32)).not.toThrow(NpyError);
	});

	it('reads raw little-endian float32 with a declared shape', () => {
		const raw = C32.subarray(128);
		expect(readRawF32(raw, [3, 2]).data).toEqual(Float32Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]));
		expect(() => readRawF32(raw, [4, 2])).toThrow(/needs 32 bytes of float32, the file has 24/);
	});
});

// Reading and writing NumPy's .npy files (format versions 1–3) as float32 tensors, the one
// dtype the tensor kernels compute in. Accepted: float32 and float64, little- or big-endian,
// C or Fortran order. float64 becomes float32 by round-to-nearest-even (Math.fround); a finite
// value beyond float32's range is refused rather than silently turned into Infinity. NaN and
// ±Infinity are kept. Errors say what is wrong with the file in words.

/** A dense row-major (C order) float32 tensor. */
export interface Tensor {
	shape: number[];
	data: Float32Array;
}

export class NpyError extends Error {
	override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bounds on what a file may declare, checked before anything is allocated. */
const HEADER_BYTES_MAX = 65_536;
const RANK_MAX = 8;
const TENSOR_ELEMENTS_MAX = 2 ** 28;

const elementCount = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

function checkShape(shape: readonly number[]): number {
	if (shape.length > RANK_MAX) throw new NpyError(`the array has ${shape.length} dimensions; at most ${RANK_MAX} are accepted`);
	for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw new NpyError(`the shape (${shape.join(', ')}) has a dimension that is not a whole number ≥ 0`);
	const n = elementCount(shape);
	if (n > TENSOR_ELEMENTS_MAX) throw new NpyError(`the array has ${n} values; at most ${TENSOR_ELEMENTS_MAX} are accepted`);
	return n;
}

interface Header {
	descr: string;
	fortran: boolean;
	shape: number[];
}

/** The header is a Python dict literal; only its three documented keys are read, strictly. */
function parseHeader(text: string): Header {
	const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
	const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
	const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
	if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError('the .npy header lacks descr, fortran_order or shape');
	const parts = shapeText.split(',').map((p) => p.trim()).filter((p) => p !== '');
	if (!parts.every((p) => /^\d+$/.test(p))) throw new NpyError(`the shape (${shapeText}) is not a tuple of whole numbers`);
	return { descr, fortran: fortran === 'True', shape: parts.map(Number) };
}

/** Reads a .npy file into a C-order float32 tensor. */
export function readNpy(bytes: Uint8Array): Tensor {
	if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyError('this is not a .npy file (it does not start with \\x93NUMPY)');
	const major = bytes[6]!;
	if (major < 1 || major > 3) throw new NpyError(`.npy format version ${major}.${bytes[7]} is not supported (1.0 to 3.0 are)`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const lengthBytes = major === 1 ? 2 : 4;
	if (bytes.length < 8 + lengthBytes) throw new NpyError('the file ends inside its header');
	const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
	if (headerLength > HEADER_BYTES_MAX) throw new NpyError(`the .npy header claims ${headerLength} bytes; at most ${HEADER_BYTES_MAX} are accepted`);
	const dataStart = 8 + lengthBytes + headerLength;
	if (dataStart > bytes.length) throw new NpyError('the file ends inside its header');
	const header = parseHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart)));
	const m = /^([<>|=])f([48])$/.exec(header.descr);
	if (!m) throw new NpyError(`dtype ${header.descr} is not accepted: save the array as float32 or float64 (arr.astype('float32'))`);
	const little = m[1] !== '>';
	const width = Number(m[2]);
	const n = checkShape(header.shape);
	if (bytes.length - dataStart !== n * width) throw new NpyError(`the shape (${header.shape.join(', ')}) needs ${n * width} bytes of float${width * 8} data, the file has ${bytes.length - dataStart}`);
	const values = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const at = dataStart + i * width;
		const v = width === 4 ? view.getFloat32(at, little) : view.getFloat64(at, little);
		const f = Math.fround(v);
		if (!Number.isFinite(f) && Number.isFinite(v)) throw new NpyError(`value ${v} (element ${i}) is beyond float32's range`);
		values[i] = f;
	}
	return { shape: header.shape, data: header.fortran ? fortranToC(values, header.shape) : values };
}

/** Reorders Fortran-order (first index fastest) values into C order (last index fastest). */
function fortranToC(values: Float32Array, shape: readonly number[]): Float32Array {
	const out = new Float32Array(values.length);
	const rank = shape.length;
	const index = new Array<number>(rank).fill(0);
	const fStride = shape.map((_, d) => shape.slice(0, d).reduce((p, s) => p * s, 1));
	for (let c = 0; c < values.length; c++) {
		let f = 0;
		for (let d = 0; d < rank; d++) f += index[d]! * fStride[d]!;
		out[c] = values[f]!;
		for (let d = rank - 1; d >= 0; d--) {
			if (++index[d]! < shape[d]!) break;
			index[d] = 0;
		}
	}
	return out;
}

/** Raw little-endian float32 values with a shape declared by the requester. */
export function readRawF32(bytes: Uint8Array, shape: readonly number[]): Tensor {
	const n = checkShape(shape);
	if (bytes.length !== n * 4) throw new NpyError(`the shape (${shape.join(', ')}) needs ${n * 4} bytes of float32, the file has ${bytes.length}`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { shape: [...shape], data: Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true)) };
}

/** A .npy 1.0 file of little-endian float32 in C order, as NumPy writes it (header padded to 64 bytes). */
export function writeNpy(t: Tensor): Uint8Array {
	const n = checkShape(t.shape);
	if (t.data.length !== n) throw new NpyError(`the shape (${t.shape.join(', ')}) holds ${n} values, the data ${t.data.length}`);
	const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
	let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
	header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
	const out = new Uint8Array(10 + header.length + n * 4);
	out.set(MAGIC);
	out[6] = 1;
	const view = new DataView(out.buffer);
	view.setUint16(8, header.length, true);
	out.set(new TextEncoder().encode(header), 10);
	for (let i = 0; i < n; i++) view.setFloat32(10 + header.length + i * 4, t.data[i]!, true);
	return out;
}

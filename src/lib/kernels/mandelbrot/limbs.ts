// Fixed-point integers ↔ 16-bit two's-complement limbs (little-endian), the form the WGSL shader
// and the general CPU path hold values in.
const LIMB_BITS = 16;

/** X as `n` 16-bit limbs, least significant first, two's complement over 16·n bits. */
export function toLimbs(x: bigint, n: number): Uint32Array {
	const width = BigInt(LIMB_BITS * n);
	const min = -(1n << (width - 1n));
	if (x < min || x >= -min) throw new RangeError(`value does not fit in ${n} limbs`);
	let u = BigInt.asUintN(LIMB_BITS * n, x);
	const out = new Uint32Array(n);
	for (let k = 0; k < n; k++) {
		out[k] = Number(u & 0xffffn);
		u >>= 16n;
	}
	return out;
}

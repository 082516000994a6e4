// WGSL source of the GPU kernel: one workgroup sums k² over its range in u32 pairs (low, high)
// with explicit carries, so the u64 it writes is exactly the CPU twin's sum.

const WORKGROUP_SIZE = 64;
/** Uniform buffer (4 × u32): [from, to, unused, unused] (`from` is a reserved word in WGSL: `first`, `end`). */
export const PARAMS_WORDS = 4;

/** Dispatch (1, 1, 1): invocation i sums k = from + i, from + i + 64, …; a tree adds the 64 partials. */
export const sumSquaresWgsl = /* wgsl */ `
const WG: u32 = ${WORKGROUP_SIZE}u;

struct Params { first: u32, end: u32, unused0: u32, unused1: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> OUT: array<u32, 2>;

var<workgroup> lo: array<u32, ${WORKGROUP_SIZE}>;
var<workgroup> hi: array<u32, ${WORKGROUP_SIZE}>;

@compute @workgroup_size(${WORKGROUP_SIZE}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
	var l = 0u;
	var h = 0u;
	// k < 2^16, so k * k fits a u32; a wrapped low word carries one into the high word.
	for (var k = P.first + lid; k < P.end; k += WG) {
		let s = l + k * k;
		h += select(0u, 1u, s < l);
		l = s;
	}
	lo[lid] = l;
	hi[lid] = h;
	workgroupBarrier();
	for (var n = WG / 2u; n > 0u; n >>= 1u) {
		if (lid < n) {
			let s = lo[lid] + lo[lid + n];
			hi[lid] = hi[lid] + hi[lid + n] + select(0u, 1u, s < lo[lid]);
			lo[lid] = s;
		}
		workgroupBarrier();
	}
	if (lid == 0u) {
		OUT[0] = lo[0];
		OUT[1] = hi[0];
	}
}
`;

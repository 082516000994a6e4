// WGSL twin of matmul.ts: C (n×m) = op(A)·op(B), optionally added to C. 16×16 tiles staged in
// workgroup memory; op(A)[i][p] and op(B)[p][j] read through the transpose flags.
export const MATMUL_TILE = 16;

export const matmulWgsl = /* wgsl */ `
struct Dims { n: u32, k: u32, m: u32, flags: u32 } // flags: 1 transA, 2 transB, 4 accumulate
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const T = ${MATMUL_TILE}u;
var<workgroup> ta: array<array<f32, ${MATMUL_TILE}>, ${MATMUL_TILE}>;
var<workgroup> tb: array<array<f32, ${MATMUL_TILE}>, ${MATMUL_TILE}>;

fn opA(i: u32, p: u32) -> f32 {
	if (i >= dims.n || p >= dims.k) { return 0.0; }
	if ((dims.flags & 1u) != 0u) { return a[p * dims.n + i]; }
	return a[i * dims.k + p];
}
fn opB(p: u32, j: u32) -> f32 {
	if (p >= dims.k || j >= dims.m) { return 0.0; }
	if ((dims.flags & 2u) != 0u) { return b[j * dims.k + p]; }
	return b[p * dims.m + j];
}

@compute @workgroup_size(${MATMUL_TILE}, ${MATMUL_TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
	let i = wg.y * T + lid.y;
	let j = wg.x * T + lid.x;
	var sum = 0.0;
	let tiles = (dims.k + T - 1u) / T;
	for (var t = 0u; t < tiles; t++) {
		ta[lid.y][lid.x] = opA(i, t * T + lid.x);
		tb[lid.y][lid.x] = opB(t * T + lid.y, j);
		workgroupBarrier();
		for (var p = 0u; p < T; p++) { sum += ta[lid.y][p] * tb[p][lid.x]; }
		workgroupBarrier();
	}
	if (i < dims.n && j < dims.m) {
		let at = i * dims.m + j;
		if ((dims.flags & 4u) != 0u) { c[at] = c[at] + sum; } else { c[at] = sum; }
	}
}
`;

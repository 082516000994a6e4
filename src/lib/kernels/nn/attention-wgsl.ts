// WGSL twin of attention.ts. Forward: one invocation per (sequence, head, query row) writes its
// causal softmax row of P and its output. Backward in two passes so no two invocations write
// the same element: per query row, dS and dq; then per key row, dk and dv.
export const ATTENTION_WORKGROUP = 64;

// Each module binds exactly the buffers its entry point uses (automatic layouts drop the rest).
const dims = /* wgsl */ `
struct Dims { batch: u32, t: u32, d: u32, heads: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
`;

export const attentionForwardWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> p: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(${ATTENTION_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let t = dims.t;
	let rows = dims.batch * dims.heads * t;
	if (id.x >= rows) { return; }
	let i = id.x % t;
	let bh = id.x / t;
	let h = bh % dims.heads;
	let b = bh / dims.heads;
	let dh = dims.d / dims.heads;
	let scale = 1.0 / sqrt(f32(dh));
	let base = bh * t * t;
	let qi = (b * t + i) * dims.d + h * dh;
	var mx = -3.4e38;
	for (var j = 0u; j <= i; j++) {
		let kj = (b * t + j) * dims.d + h * dh;
		var s = 0.0;
		for (var c = 0u; c < dh; c++) { s += q[qi + c] * k[kj + c]; }
		s *= scale;
		p[base + i * t + j] = s;
		mx = max(mx, s);
	}
	var z = 0.0;
	for (var j = 0u; j <= i; j++) {
		let e = exp(p[base + i * t + j] - mx);
		p[base + i * t + j] = e;
		z += e;
	}
	for (var c = 0u; c < dh; c++) { out[qi + c] = 0.0; }
	for (var j = 0u; j < t; j++) {
		if (j > i) { p[base + i * t + j] = 0.0; continue; }
		let w = p[base + i * t + j] / z;
		p[base + i * t + j] = w;
		let vj = (b * t + j) * dims.d + h * dh;
		for (var c = 0u; c < dh; c++) { out[qi + c] += w * v[vj + c]; }
	}
}
`;

/** Pass 1: dS (written over the dS buffer) and dq, per query row. */
export const attentionBackwardRowsWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> ds: array<f32>;
@group(0) @binding(6) var<storage, read_write> dq: array<f32>;

@compute @workgroup_size(${ATTENTION_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let t = dims.t;
	if (id.x >= dims.batch * dims.heads * t) { return; }
	let i = id.x % t;
	let bh = id.x / t;
	let h = bh % dims.heads;
	let b = bh / dims.heads;
	let dh = dims.d / dims.heads;
	let scale = 1.0 / sqrt(f32(dh));
	let base = bh * t * t;
	let oi = (b * t + i) * dims.d + h * dh;
	var dot = 0.0;
	for (var j = 0u; j <= i; j++) {
		let vj = (b * t + j) * dims.d + h * dh;
		var s = 0.0;
		for (var c = 0u; c < dh; c++) { s += dout[oi + c] * v[vj + c]; }
		ds[base + i * t + j] = s;
		dot += s * p[base + i * t + j];
	}
	for (var c = 0u; c < dh; c++) { dq[oi + c] = 0.0; }
	for (var j = 0u; j < t; j++) {
		if (j > i) { ds[base + i * t + j] = 0.0; continue; }
		let g = p[base + i * t + j] * (ds[base + i * t + j] - dot) * scale;
		ds[base + i * t + j] = g;
		let kj = (b * t + j) * dims.d + h * dh;
		for (var c = 0u; c < dh; c++) { dq[oi + c] += g * k[kj + c]; }
	}
}
`;

/** Pass 2: dk and dv, per key row (the sums over the query rows that see it). */
export const attentionBackwardColsWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> ds: array<f32>;
@group(0) @binding(5) var<storage, read_write> dk: array<f32>;
@group(0) @binding(6) var<storage, read_write> dv: array<f32>;

@compute @workgroup_size(${ATTENTION_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let t = dims.t;
	if (id.x >= dims.batch * dims.heads * t) { return; }
	let j = id.x % t;
	let bh = id.x / t;
	let h = bh % dims.heads;
	let b = bh / dims.heads;
	let dh = dims.d / dims.heads;
	let base = bh * t * t;
	let kj = (b * t + j) * dims.d + h * dh;
	for (var c = 0u; c < dh; c++) { dk[kj + c] = 0.0; dv[kj + c] = 0.0; }
	for (var i = j; i < t; i++) {
		let qi = (b * t + i) * dims.d + h * dh;
		let g = ds[base + i * t + j];
		let w = p[base + i * t + j];
		for (var c = 0u; c < dh; c++) {
			dk[kj + c] += g * q[qi + c];
			dv[kj + c] += w * dout[qi + c];
		}
	}
}
`;

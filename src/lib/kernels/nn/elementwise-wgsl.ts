// WGSL twins of gelu.ts and of matmul.ts's bias helpers: one invocation per element (GELU,
// bias add) or per column (bias gradient, a sum over rows).
export const ELEMENTWISE_WORKGROUP = 64;

const geluCommon = /* wgsl */ `
struct Dims { len: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
const C = 0.7978845608028654;
const A = 0.044715;
`;

export const geluForwardWgsl = /* wgsl */ `${geluCommon}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.len) { return; }
	let v = x[i];
	y[i] = 0.5 * v * (1.0 + tanh(C * (v + A * v * v * v)));
}
`;

export const geluBackwardWgsl = /* wgsl */ `${geluCommon}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.len) { return; }
	let v = x[i];
	let t = tanh(C * (v + A * v * v * v));
	let du = C * (1.0 + 3.0 * A * v * v);
	dx[i] = dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du);
}
`;

export const biasWgsl = /* wgsl */ `
struct Dims { n: u32, m: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read_write> x: array<f32>; // rows to add to, or dy to sum
@group(0) @binding(2) var<storage, read_write> bias: array<f32>; // bias, or its gradient (accumulated)

@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn add(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.n * dims.m) { return; }
	x[i] = x[i] + bias[i % dims.m];
}

@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn grad(@builtin(global_invocation_id) id: vec3<u32>) {
	let j = id.x;
	if (j >= dims.m) { return; }
	var s = 0.0;
	for (var i = 0u; i < dims.n; i++) { s += x[i * dims.m + j]; }
	bias[j] = bias[j] + s;
}
`;

/** y += x, elementwise (residual connections in the backward pass). */
export const addWgsl = /* wgsl */ `
struct Dims { len: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.len) { return; }
	y[i] = y[i] + x[i];
}
`;

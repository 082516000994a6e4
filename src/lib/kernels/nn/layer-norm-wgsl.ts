// WGSL twin of layer-norm.ts: one invocation per row (rows are at most a few hundred wide),
// and per column for the γ and β gradients. One module per entry point, so each binds exactly
// the buffers it uses (WebGPU's automatic layouts drop unused bindings).
import { LAYER_NORM_EPS } from './layer-norm';

export const LAYER_NORM_WORKGROUP = 64;

const dims = /* wgsl */ `
struct Dims { n: u32, d: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
`;

export const layerNormForwardWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

@compute @workgroup_size(${LAYER_NORM_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.n) { return; }
	let o = i * dims.d;
	var mean = 0.0;
	for (var j = 0u; j < dims.d; j++) { mean += x[o + j]; }
	mean /= f32(dims.d);
	var v = 0.0;
	for (var j = 0u; j < dims.d; j++) { let c = x[o + j] - mean; v += c * c; }
	let r = 1.0 / sqrt(v / f32(dims.d) + ${LAYER_NORM_EPS});
	rstd[i] = r;
	for (var j = 0u; j < dims.d; j++) {
		let h = (x[o + j] - mean) * r;
		xhat[o + j] = h;
		y[o + j] = h * gamma[j] + beta[j];
	}
}
`;

export const layerNormBackwardWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> xhat: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(${LAYER_NORM_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.n) { return; }
	let o = i * dims.d;
	var mg = 0.0;
	var mgx = 0.0;
	for (var j = 0u; j < dims.d; j++) {
		let g = dy[o + j] * gamma[j];
		mg += g;
		mgx += g * xhat[o + j];
	}
	mg /= f32(dims.d);
	mgx /= f32(dims.d);
	for (var j = 0u; j < dims.d; j++) {
		dx[o + j] = rstd[i] * (dy[o + j] * gamma[j] - mg - xhat[o + j] * mgx);
	}
}
`;

/** dγ then dβ (2·d values), accumulated. */
export const layerNormParamsWgsl = /* wgsl */ `${dims}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read_write> dgb: array<f32>;

@compute @workgroup_size(${LAYER_NORM_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let j = id.x;
	if (j >= dims.d) { return; }
	var dg = 0.0;
	var db = 0.0;
	for (var i = 0u; i < dims.n; i++) {
		dg += dy[i * dims.d + j] * xhat[i * dims.d + j];
		db += dy[i * dims.d + j];
	}
	dgb[j] = dgb[j] + dg;
	dgb[dims.d + j] = dgb[dims.d + j] + db;
}
`;

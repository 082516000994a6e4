// WGSL twin of cross-entropy.ts: one invocation per row writes the row's loss and its
// gradient row (softmax − one-hot) / n; the host sums the row losses.
export const CROSS_ENTROPY_WORKGROUP = 64;

export const crossEntropyWgsl = /* wgsl */ `
struct Dims { n: u32, vocab: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;

@compute @workgroup_size(${CROSS_ENTROPY_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
	let i = id.x;
	if (i >= dims.n) { return; }
	let o = i * dims.vocab;
	var mx = -3.4e38;
	for (var j = 0u; j < dims.vocab; j++) { mx = max(mx, logits[o + j]); }
	var z = 0.0;
	for (var j = 0u; j < dims.vocab; j++) { z += exp(logits[o + j] - mx); }
	let tgt = targets[i];
	loss[i] = log(z) + mx - logits[o + tgt];
	let inv = 1.0 / f32(dims.n);
	for (var j = 0u; j < dims.vocab; j++) {
		var g = exp(logits[o + j] - mx) / z;
		if (j == tgt) { g -= 1.0; }
		dlogits[o + j] = g * inv;
	}
}
`;

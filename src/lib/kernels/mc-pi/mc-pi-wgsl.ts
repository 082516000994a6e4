// WGSL source of the GPU kernel: counts the hits of a batch of steps, one count slot per step.
// u32 only, exactly rng.ts (mix32 = lowbias32, same sample index n, same hit test), so the
// counts, and therefore the states and Merkle root, match the CPU twin bit for bit.

const WORKGROUP_SIZE = 64;
/** Samples per invocation: a workgroup covers WORKGROUP_SIZE · SAMPLES_PER_INVOCATION of a step. */
const SAMPLES_PER_INVOCATION = 16;
export const SAMPLES_PER_WORKGROUP = WORKGROUP_SIZE * SAMPLES_PER_INVOCATION;

/** Uniform buffer (4 × u32): [a (chain key), samplesPerStep, firstStep, unused]. */
export const PARAMS_WORDS = 4;

/**
 * Dispatch (ceil(samplesPerStep / SAMPLES_PER_WORKGROUP), stepsInBatch, 1): workgroup (x, y)
 * counts its slice of step firstStep + y, sums the slice in workgroup memory and adds it once
 * to COUNTS[y] (zeroed by the host before the batch).
 */
export const mcPiWgsl = /* wgsl */ `
const WG: u32 = ${WORKGROUP_SIZE}u;
const PER: u32 = ${SAMPLES_PER_INVOCATION}u;

struct Params { a: u32, samples: u32, first_step: u32, unused: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> COUNTS: array<atomic<u32>>;

var<workgroup> partial: array<u32, ${WORKGROUP_SIZE}>;

// lowbias32; u32 multiplication wraps, like Math.imul.
fn mix32(x_in: u32) -> u32 {
	var x = x_in;
	x ^= x >> 16u;
	x *= 0x7feb352du;
	x ^= x >> 15u;
	x *= 0x846ca68bu;
	x ^= x >> 16u;
	return x;
}

// Sample n (< 2^26, so 2n + 1 fits) hits when x² + y² < 2^32, written so nothing overflows.
fn hit(a: u32, n: u32) -> u32 {
	let x = mix32(a ^ mix32(2u * n)) >> 16u;
	let y = mix32(a ^ mix32(2u * n + 1u)) >> 16u;
	return select(0u, 1u, x * x <= 0xffffffffu - y * y);
}

@compute @workgroup_size(${WORKGROUP_SIZE}, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
	let first = (P.first_step + wg.y) * P.samples;
	let base = wg.x * WG * PER;
	var count = 0u;
	for (var k = 0u; k < PER; k++) {
		let j = base + k * WG + lid;
		if (j < P.samples) { count += hit(P.a, first + j); }
	}
	partial[lid] = count;
	workgroupBarrier();
	for (var s = WG / 2u; s > 0u; s >>= 1u) {
		if (lid < s) { partial[lid] += partial[lid + s]; }
		workgroupBarrier();
	}
	if (lid == 0u) { atomicAdd(&COUNTS[wg.y], partial[0]); }
}
`;

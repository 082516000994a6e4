// Counter-based randomness: every sample is a pure function of (seed, chain, sample index), so a
// step's samples are independent of each other and of the order they are drawn in (GPU-parallel).
// mc-pi-wgsl.ts implements exactly the same functions in u32.

/** lowbias32 (Chris Wellons' hash prospector): a bijective 32-bit mixer. */
export function mix32(x: number): number {
	x ^= x >>> 16;
	x = Math.imul(x, 0x7feb352d);
	x ^= x >>> 15;
	x = Math.imul(x, 0x846ca68b);
	x ^= x >>> 16;
	return x >>> 0;
}

/** The per-chain key `a`, from which all of that chain's samples derive. */
export function chainKey(seed: number, chain: number): number {
	return mix32((seed ^ mix32(chain)) >>> 0);
}

/** 1 when sample n of the chain keyed `a` lies inside the quarter circle, else 0. n < 2^26. */
export function sampleHit(a: number, n: number): number {
	const x = mix32((a ^ mix32((2 * n) >>> 0)) >>> 0) >>> 16;
	const y = mix32((a ^ mix32((2 * n + 1) >>> 0)) >>> 0) >>> 16;
	return x * x + y * y < 2 ** 32 ? 1 : 0; // exact in f64: both squares are below 2^32
}

/** Hits among the `samplesPerStep` samples of step `step` (0-based). */
export function stepHits(a: number, step: number, samplesPerStep: number): number {
	const first = step * samplesPerStep;
	let hits = 0;
	for (let j = 0; j < samplesPerStep; j++) hits += sampleHit(a, first + j);
	return hits;
}

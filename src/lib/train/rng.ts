// A small seeded generator (SplitMix32) so initial weights, shard order and batch sampling
// are the same on every device for the same seed: a round can be replayed and checked.

export type Rng = () => number;

/** Uniform in [0, 1) from a 32-bit seed. */
export function seededRng(seed: number): Rng {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x9e3779b9) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
		return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
	};
}

/** Standard normal by Box–Muller. */
export function gaussian(rng: Rng): number {
	const u = 1 - rng();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Mixes several integers into one seed (for per-round, per-peer streams). */
export function mixSeed(...parts: number[]): number {
	let h = 0x811c9dc5;
	for (const p of parts) {
		h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
		h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
	}
	return h >>> 0;
}

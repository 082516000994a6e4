// How simulated workers behave: honest, or one of the cheating strategies the issue lists.
// Each is a set of hooks on the real contributor loop (src/lib/contributor/ports.ts): what to
// commit to for a lease, whether to reveal it (a copier reveals only what it copied) and whether
// to answer dispute questions. Randomness is seeded, so a run can be repeated.
import type { Lease } from '../src/lib/protocol/leases.js';
import { packTrace } from '../src/lib/contributor/cpu-compute.js';
import type { Computed } from '../src/lib/contributor/ports.js';
import { liedTrace } from '../relay/testing/mc-pi-traces.js';

export interface Behaviour {
	readonly strategy: Strategy;
	/** The result to commit to; `honest` computes the real one (a copier never calls it). */
	produce(lease: Lease, honest: () => Promise<Computed>): Promise<Computed>;
	/** Copiers reveal only what they managed to copy. */
	readonly copies: boolean;
	/** Answers the questions of a dispute it is a side of. */
	readonly answersDisputes: boolean;
	/** Starts over with a fresh key whenever its key is shut out. */
	readonly rotatesKeys: boolean;
}

const STRATEGIES = ['honest', 'always-lie', 'lie-sometimes', 'lie-on-large', 'copy', 'cartel', 'silent-in-dispute', 'many-keys'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A small seeded PRNG (mulberry32): reproducible coin flips per worker. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
	};
}

const isBisect = (lease: Lease) => lease.kernel === 'mc-pi';

/** A wrong result every member of a cartel agrees on (it depends only on the task). */
async function sharedLie(lease: Lease, honest: () => Promise<Computed>): Promise<Computed> {
	if (isBisect(lease)) {
		const p = lease.params as { steps: number; chain: number };
		return packTrace(liedTrace(lease.params, 1 + (p.chain % p.steps)));
	}
	const bytes = (await honest()).bytes.slice();
	bytes[0] = (bytes[0] ?? 0) ^ 0x5a;
	return { bytes, states: null, stateBytes: 0, backend: 'cpu' };
}

/** A wrong result of this worker's own: a flipped byte, or a chain that goes astray at a random step. */
async function ownLie(lease: Lease, honest: () => Promise<Computed>, rand: () => number): Promise<Computed> {
	if (isBisect(lease)) {
		const steps = (lease.params as { steps: number }).steps;
		// Its own amount too: two liars who merely picked the same wrong count would agree.
		return packTrace(liedTrace(lease.params, 1 + Math.floor(rand() * steps), 1 + Math.floor(rand() * 1000)));
	}
	const bytes = (await honest()).bytes.slice();
	const at = Math.floor(rand() * bytes.length);
	bytes[at] = (bytes[at] ?? 0) ^ (1 + Math.floor(rand() * 255));
	return { bytes, states: null, stateBytes: 0, backend: 'cpu' };
}

export interface BehaviourOptions {
	seed: number;
	/** lie-sometimes: the chance of lying on a task. */
	lieProbability: number;
	/** lie-on-large: tasks priced at least this many µcr are large. */
	largeTaskMicro: number;
	/** Each task's price, as the worker sees it from the lease. */
	priceOf(lease: Lease): number;
}

export function behaviour(strategy: Strategy, opts: BehaviourOptions): Behaviour {
	const rand = prng(opts.seed);
	const base = { strategy, copies: false, answersDisputes: true, rotatesKeys: false };
	switch (strategy) {
		case 'honest':
			return { ...base, produce: (_l, honest) => honest() };
		case 'always-lie':
			return { ...base, produce: (l, honest) => ownLie(l, honest, rand) };
		case 'lie-sometimes':
			return { ...base, produce: (l, honest) => (rand() < opts.lieProbability ? ownLie(l, honest, rand) : honest()) };
		case 'lie-on-large':
			return { ...base, produce: (l, honest) => (opts.priceOf(l) >= opts.largeTaskMicro ? ownLie(l, honest, rand) : honest()) };
		case 'copy':
			// Computes nothing: commits to noise and hopes to find an answer to copy before revealing.
			return { ...base, copies: true, produce: async (l) => ({ bytes: new Uint8Array(l.resultBytes).map(() => Math.floor(rand() * 256)), states: null, stateBytes: 0, backend: 'cpu' }) };
		case 'cartel':
			return { ...base, produce: sharedLie };
		case 'silent-in-dispute':
			return { ...base, answersDisputes: false, produce: (l, honest) => ownLie(l, honest, rand) };
		case 'many-keys':
			return { ...base, rotatesKeys: true, produce: (l, honest) => ownLie(l, honest, rand) };
	}
}

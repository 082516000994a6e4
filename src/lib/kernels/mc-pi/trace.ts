// Per-step hit counts → the chain's committed trace. Shared by the CPU twin and the WebGPU host
// loop, so both build states, leaves and root from the counts with the very same code.
import { leafHash, merkleRoot } from '../../verify/merkle';
import { encodeState } from './state';

export interface McPiTrace {
	/** The state after the last step: the task's result bytes (8). */
	final: Uint8Array;
	/** states[i]: the state after i + 1 steps, i = 0..T−1. */
	states: Uint8Array[];
	/** leaves[i] = leafHash(states[i]). */
	leaves: Uint8Array[];
	/** Merkle root over the T leaves, carried beside the result by the worker. */
	root: Uint8Array;
}

/** Accumulates per-step hits (counts[i] for step i) into states and commits to them. */
export function traceFromCounts(counts: ArrayLike<number>): McPiTrace {
	const states: Uint8Array[] = [];
	let hits = 0;
	for (let i = 0; i < counts.length; i++) {
		hits += counts[i]!;
		states.push(encodeState({ step: i + 1, hits }));
	}
	const leaves = states.map(leafHash);
	const final = states[states.length - 1];
	if (!final) throw new RangeError('a chain has at least one step');
	return { final, states, leaves, root: merkleRoot(leaves) };
}

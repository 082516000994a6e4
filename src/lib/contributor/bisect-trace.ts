// A bisect result's committed trace on the contributor's side: the per-step states a worker
// computed, their Merkle tree, and the answers a dispute may ask for. Kernel-agnostic: a state
// is whatever bytes the kernel's steps produce.
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DisputeAnswer } from '../protocol/disputes.js';
import { leafHash, merkleProofHex, merkleRootHex } from '../verify/merkle.js';

export class BisectTrace {
	readonly steps: number;
	readonly root: string;
	/** What the trace was made from, kept so it can be stored and rebuilt (work-store.ts). */
	readonly packed: Uint8Array;
	readonly stateBytes: number;
	private readonly states: Uint8Array[];
	private readonly leaves: Uint8Array[];

	/** `states`: every step's state, `stateBytes` each, in step order; the last is the result. */
	constructor(states: Uint8Array, stateBytes: number) {
		if (stateBytes <= 0 || states.length === 0 || states.length % stateBytes !== 0) {
			throw new RangeError(`a trace is a whole number of ${stateBytes}-byte states, got ${states.length} bytes`);
		}
		this.packed = states;
		this.stateBytes = stateBytes;
		this.states = Array.from({ length: states.length / stateBytes }, (_, i) => states.slice(i * stateBytes, (i + 1) * stateBytes));
		this.steps = this.states.length;
		this.leaves = this.states.map(leafHash);
		this.root = merkleRootHex(this.leaves);
	}

	/** The result bytes: the state after the last step. */
	get final(): Uint8Array {
		return this.states[this.steps - 1] as Uint8Array;
	}

	/** What a reveal carries besides the receipt. */
	reveal(): { merkleRoot: string; finalProof: string[] } {
		return { merkleRoot: this.root, finalProof: merkleProofHex(this.leaves, this.steps - 1) };
	}

	/** The answer to "your state after `index` steps". */
	answer(index: number): DisputeAnswer {
		const state = this.states[index - 1];
		if (!state) throw new RangeError(`step ${index} is outside this trace's 1..${this.steps}`);
		return { index, state: bytesToHex(state), proof: merkleProofHex(this.leaves, index - 1) };
	}
}

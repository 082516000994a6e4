// mc-pi traces for tests and simulations: honest ones from the CPU twin, lying ones that follow
// the honest chain and then go astray, and what a side sends in a dispute.
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DisputeAnswer } from '../../src/lib/protocol/disputes.js';
import { parseParams } from '../../src/lib/kernels/mc-pi/params.js';
import { chainKey, stepHits } from '../../src/lib/kernels/mc-pi/rng.js';
import { traceFromCounts, type McPiTrace } from '../../src/lib/kernels/mc-pi/trace.js';
import { merkleProofHex, merkleRootHex } from '../../src/lib/verify/merkle.js';

/** Per-step hit counts of a chain, exactly as the CPU twin draws them. */
function mcPiCounts(params: unknown): Uint32Array {
	const p = parseParams(params);
	const a = chainKey(p.seed, p.chain);
	return Uint32Array.from({ length: p.steps }, (_, i) => stepHits(a, i, p.samplesPerStep));
}

export function honestTrace(params: unknown): McPiTrace {
	return traceFromCounts(mcPiCounts(params));
}

/** Honest for steps 1..fromStep−1, then `delta` extra hits at step `fromStep` (1-based), carried on after. */
export function liedTrace(params: unknown, fromStep: number, delta = 1): McPiTrace {
	const counts = mcPiCounts(params);
	counts[fromStep - 1] = (counts[fromStep - 1] ?? 0) + delta;
	return traceFromCounts(counts);
}

/** The state after `index` steps with its proof to the trace's root. */
export function disputeAnswer(trace: McPiTrace, index: number): DisputeAnswer {
	return { index, state: bytesToHex(trace.states[index - 1] as Uint8Array), proof: merkleProofHex(trace.leaves, index - 1) };
}

/** What a reveal of this trace's final state carries besides the receipt. */
export function revealExtras(trace: McPiTrace): { merkleRoot: string; finalProof: string[] } {
	return { merkleRoot: merkleRootHex(trace.leaves), finalProof: merkleProofHex(trace.leaves, trace.leaves.length - 1) };
}

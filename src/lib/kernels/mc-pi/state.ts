// A chain's state between steps, and its wire form: 8 bytes, u32 LE `step` (steps completed)
// then u32 LE `hits`. The Merkle leaves are hashes of these bytes; a final state is the result.
import type { McPiParams } from './params';

export const STATE_BYTES = 8;

export interface McPiState {
	/** Steps completed, 0..steps. */
	step: number;
	/** Samples inside the quarter circle so far, at most step · samplesPerStep. */
	hits: number;
}

const U32_MAX = 0xffff_ffff;

export function encodeState(s: McPiState): Uint8Array<ArrayBuffer> {
	for (const [name, x] of [['step', s.step], ['hits', s.hits]] as const) {
		if (!Number.isInteger(x) || x < 0 || x > U32_MAX) throw new RangeError(`state ${name} must be a u32, got ${x}`);
	}
	const out = new Uint8Array(STATE_BYTES);
	const view = new DataView(out.buffer);
	view.setUint32(0, s.step, true);
	view.setUint32(4, s.hits, true);
	return out;
}

export function decodeState(bytes: Uint8Array): McPiState {
	if (bytes.length !== STATE_BYTES) throw new RangeError(`a state is ${STATE_BYTES} bytes, got ${bytes.length}`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { step: view.getUint32(0, true), hits: view.getUint32(4, true) };
}

/** The state before the first step. Takes params so the contract stays "a pure function of params". */
export function initialState(_params: McPiParams): Uint8Array<ArrayBuffer> {
	return encodeState({ step: 0, hits: 0 });
}

/** Null when `s` could follow from params, else why not (a state no honest chain can reach). */
export function stateProblem(params: McPiParams, s: McPiState): string | null {
	if (s.step > params.steps) return `state step ${s.step} is beyond the chain's ${params.steps} steps`;
	if (s.hits > s.step * params.samplesPerStep) return `state hits ${s.hits} exceed the ${s.step * params.samplesPerStep} samples drawn`;
	return null;
}

// The CPU twin of mc-pi-wgsl.ts + gpu.ts: the same samples, counts, states, leaves and root, no
// GPU. Also the referee's one-step recomputation when a bisection lands on a step.
import { parseParams, type McPiParams } from './params';
import { chainKey, stepHits } from './rng';
import { decodeState, encodeState, initialState, stateProblem } from './state';
import { traceFromCounts, type McPiTrace } from './trace';

export type { McPiTrace };

function abortError(): DOMException {
	return new DOMException('mc-pi chain aborted', 'AbortError');
}

function next(p: McPiParams, prior: Uint8Array): Uint8Array {
	const s = decodeState(prior);
	const problem = stateProblem(p, s);
	if (problem) throw new RangeError(problem);
	if (s.step >= p.steps) throw new RangeError(`the chain already completed its ${p.steps} steps`);
	return encodeState({ step: s.step + 1, hits: s.hits + stepHits(chainKey(p.seed, p.chain), s.step, p.samplesPerStep) });
}

/**
 * The state after one more step. Throws a ValiError on bad params and a RangeError on a state that
 * is not 8 bytes, is already final, or no honest chain can reach (more hits than samples).
 */
export function stepState(params: unknown, state: Uint8Array): Uint8Array {
	return next(parseParams(params), state);
}

/** Runs the whole chain; throws an AbortError DOMException when `signal` aborts (checked per step). */
export function runChain(params: unknown, signal?: AbortSignal): McPiTrace {
	const p = parseParams(params);
	const a = chainKey(p.seed, p.chain);
	const counts = new Uint32Array(p.steps);
	for (let i = 0; i < p.steps; i++) {
		if (signal?.aborted) throw abortError();
		counts[i] = stepHits(a, i, p.samplesPerStep);
	}
	return traceFromCounts(counts);
}

/**
 * The referee's check: the state after step `index` (1-based, 1..steps), recomputed from the
 * agreed state after `index − 1` steps. `prior` null stands for the initial state (index 1 only).
 * Throws a RangeError when `prior` is not the state after `index − 1` steps or is unreachable.
 */
export function refereeStep(params: unknown, index: number, prior: Uint8Array | null): Uint8Array {
	const p = parseParams(params);
	if (!Number.isSafeInteger(index) || index < 1 || index > p.steps) throw new RangeError(`step index must be 1..${p.steps}, got ${index}`);
	if (prior === null && index !== 1) throw new RangeError(`a null prior means the initial state, so only step 1 can follow it, not step ${index}`);
	const from = prior ?? initialState(p);
	const { step } = decodeState(from);
	if (step !== index - 1) throw new RangeError(`prior state is after ${step} steps, step ${index} needs the state after ${index - 1}`);
	return next(p, from);
}

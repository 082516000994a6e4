// Requester side: the chains' final states → an estimate of π.
import { decodeState } from './state';

/**
 * 4 · Σhits / Σsamples over the chains' final states (each counts `step · samplesPerStep` samples).
 * Throws a RangeError when there are no samples or a state has more hits than samples.
 */
export function estimatePi(finals: readonly Uint8Array[], samplesPerStep: number): number {
	let hits = 0;
	let samples = 0;
	for (const bytes of finals) {
		const s = decodeState(bytes);
		if (s.hits > s.step * samplesPerStep) throw new RangeError(`a final state has ${s.hits} hits from ${s.step * samplesPerStep} samples`);
		hits += s.hits;
		samples += s.step * samplesPerStep;
	}
	if (samples === 0) throw new RangeError('no samples to estimate π from');
	return (4 * hits) / samples;
}

// The requester's side of mc-pi: the verified chains' final states → an estimate of π.
import type { KernelRequester } from '../types';
import { estimatePi } from './assemble';
import type { McPiSpec } from './spec';
import { STATE_BYTES } from './state';

export interface McPiResult {
	pi: number;
	/** Chains the estimate is made from (a voided chain has no verified result and is left out). */
	chains: number;
	samples: number;
}

/** π from every chain with a verified final state; throws a RangeError when none has one. */
function assembleEstimate(spec: McPiSpec, results: ReadonlyMap<number, Uint8Array>): McPiResult {
	const finals = [...results.values()];
	for (const [idx, bytes] of results) {
		if (bytes.length !== STATE_BYTES) throw new RangeError(`chain ${idx}: expected ${STATE_BYTES} bytes, got ${bytes.length}`);
	}
	return { pi: estimatePi(finals, spec.samplesPerStep), chains: finals.length, samples: finals.length * spec.steps * spec.samplesPerStep };
}

export const mcPiRequester: KernelRequester<McPiSpec, McPiResult> = {
	label: 'Monte Carlo π',
	unit: { one: 'chain', many: 'chains' },
	title: (spec) => `Monte Carlo π, ${spec.chains} × ${spec.steps} steps`,
	assemble: assembleEstimate,
	render: async (r) => ({
		bytes: new TextEncoder().encode(JSON.stringify(r) + '\n'),
		mediaType: 'application/json',
		extension: 'json',
		summary: `π ≈ ${r.pi.toFixed(6)} from ${r.chains} verified chain${r.chains === 1 ? '' : 's'}, ${r.samples.toLocaleString('en-US')} samples`
	})
};

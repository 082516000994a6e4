// The requester's side of sum-squares: every range's verified sum → the total.
import type { KernelRequester } from '../types';
import { taskCount, type SumSquaresSpec } from './spec';
import { decodeSum } from './sum';

export interface SumSquaresResult {
	from: number;
	to: number;
	/** Σ k² for from ≤ k < to, in decimal (the total can pass 2^53 in general, so not a JSON number). */
	sum: string;
}

/** The total of every range; an exact sum cannot skip one, so a range with no verified result throws. */
function assembleSum(spec: SumSquaresSpec, results: ReadonlyMap<number, Uint8Array>): SumSquaresResult {
	let sum = 0n;
	for (let idx = 0; idx < taskCount(spec); idx++) {
		const bytes = results.get(idx);
		if (!bytes) throw new RangeError(`range ${idx} has no verified result, and an exact sum cannot skip it`);
		sum += BigInt(decodeSum(bytes));
	}
	return { from: spec.from, to: spec.to, sum: sum.toString() };
}

export const sumSquaresRequester: KernelRequester<SumSquaresSpec, SumSquaresResult> = {
	label: 'Sum of squares (test kernel)',
	unit: { one: 'range', many: 'ranges' },
	title: (spec) => `Sum of squares, ${spec.from} ≤ k < ${spec.to}`,
	assemble: assembleSum,
	render: async (r) => ({
		bytes: new TextEncoder().encode(JSON.stringify(r) + '\n'),
		mediaType: 'application/json',
		extension: 'json',
		summary: `Σ k² for ${r.from} ≤ k < ${r.to} = ${r.sum}`
	})
};

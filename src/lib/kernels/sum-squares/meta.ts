// The sum-squares kernel's contract for the relay: validate, split into ranges, price, and the
// requester's sum. Imports no shader and no CPU twin (compute.ts has those).
import type { KernelMeta, TaskPlan } from '../types';
import { sumSquaresRequester, type SumSquaresResult } from './requester';
import { SumSquaresParamsSchema, SumSquaresSpecSchema, type SumSquaresParams, type SumSquaresSpec } from './spec';
import { RESULT_BYTES } from './sum';

/** 1 micro-credit per 10,000 terms, rounded up. */
const TERMS_PER_MICRO = 10_000;

const priceRangeMicro = (terms: number): number => Math.ceil(terms / TERMS_PER_MICRO);

/** Ranges of `chunk` terms from `from`, the last one clipped at `to`; `idx` in order, laid out as a strip. */
function splitSumSquares(spec: SumSquaresSpec): TaskPlan<SumSquaresParams>[] {
	const tasks: TaskPlan<SumSquaresParams>[] = [];
	for (let from = spec.from; from < spec.to; from += spec.chunk) {
		const to = Math.min(spec.to, from + spec.chunk);
		const idx = tasks.length;
		tasks.push({ idx, params: { from, to }, rect: { x: idx, y: 0, w: 1, h: 1 }, resultBytes: RESULT_BYTES, priceMicro: priceRangeMicro(to - from) });
	}
	return tasks;
}

/** The largest range: every task costs at most this, and its price is exactly its work. */
const BENCHMARK_RANGE: SumSquaresParams = { from: 0, to: 65_536 };

export const sumSquaresMeta: KernelMeta<SumSquaresSpec, SumSquaresParams, SumSquaresResult> = {
	id: 'sum-squares',
	version: 1,
	verification: 'exact',
	specSchema: SumSquaresSpecSchema,
	paramsSchema: SumSquaresParamsSchema,
	split: splitSumSquares,
	// One arithmetic path: time follows the number of terms, and so does the price.
	costClasses: 1,
	costClass: () => 0,
	benchmarkParams: () => ({ params: BENCHMARK_RANGE, priceMicro: priceRangeMicro(BENCHMARK_RANGE.to - BENCHMARK_RANGE.from) }),
	requester: sumSquaresRequester
};

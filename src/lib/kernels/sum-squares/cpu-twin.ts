// The CPU twin of sum-squares-wgsl.ts: the same exact sum, no GPU.
import { encodeSum } from './sum';
import type { SumSquaresParams } from './spec';

/** Σ k² for from ≤ k < to (k < 2^16: every term and the sum are exact). */
export function sumSquares(p: SumSquaresParams): number {
	let sum = 0;
	for (let k = p.from; k < p.to; k++) sum += k * k;
	return sum;
}

/** The kernel entry on validated params: the result bytes. */
export function computeSumCpu(p: SumSquaresParams): Uint8Array<ArrayBuffer> {
	return encodeSum(sumSquares(p));
}

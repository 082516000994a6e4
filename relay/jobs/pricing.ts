import { QUORUM } from '../../src/lib/protocol/limits.js';

/** The platform's cut of one accepted task, from what its QUORUM workers earn. */
export function taskFeeMicro(priceMicro: number, feeBps: number): number {
	return Math.floor((QUORUM * priceMicro * feeBps) / 10_000);
}

/**
 * Worst-case cost of a job: every task pays QUORUM workers plus the fee. Disputes add replicas
 * but never payees (only the agreeing quorum is paid), so escrow can never be overspent.
 */
export function estimateMicro(pricesMicro: readonly number[], feeBps: number): number {
	let total = 0;
	for (const p of pricesMicro) total += QUORUM * p + taskFeeMicro(p, feeBps);
	if (!Number.isSafeInteger(total)) throw new RangeError('estimate overflows');
	return total;
}

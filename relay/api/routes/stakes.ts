import type { Holdings } from '../../../src/lib/protocol/stakes.js';
import type { RelayContext } from '../../context.js';
import { holdingsOf } from '../../ledger/holdings.js';
import { requestRedemption } from '../../ledger/redemptions.js';
import { RefConflict, releaseDueUnstakes, requestUnstake, stake } from '../../ledger/stakes.js';
import { InsufficientFunds, TransferConflict } from '../../ledger/transfer.js';
import type { Sql } from '../../store/db.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** Money errors as the client sees them; anything else is a bug and surfaces as a 500. */
function moneyError(err: unknown, what: string, ref: string): never {
	if (err instanceof InsufficientFunds) {
		throw new DomainError('insufficient_funds', `not enough credits to ${what}${what.startsWith('unstake') ? '' : '; only your balance counts: starter credits, and credits earned from work that starter credits paid for, are for jobs and training only'}`);
	}
	if (err instanceof RefConflict || err instanceof TransferConflict) throw new DomainError('conflict', `ref ${ref} was already used for a different request`);
	throw err;
}

/** Runs one money write for the signer, after releasing whatever of its unstakes fell due. */
async function write(ctx: RelayContext, key: string, now: number, fn: (tx: Sql) => Promise<unknown>): Promise<Holdings> {
	return ctx.db.transaction(async (tx) => {
		await releaseDueUnstakes(tx, now, key);
		await fn(tx);
		return holdingsOf(tx, key, ctx.config.unstakeDelayMs);
	});
}

export const stakeRoute = defineRoute(ENDPOINTS.stake, {
	async handle({ ctx, key, body, now }) {
		const json = await write(ctx, key, now, (tx) => stake(tx, key, body.amountMicro, body.ref, now).catch((e: unknown) => moneyError(e, 'stake this much', body.ref)));
		return { json };
	}
});

export const unstakeRoute = defineRoute(ENDPOINTS.unstake, {
	async handle({ ctx, key, body, now }) {
		const json = await write(ctx, key, now, (tx) =>
			requestUnstake(tx, key, body.amountMicro, body.ref, ctx.config.unstakeDelayMs, now).catch((e: unknown) => moneyError(e, 'unstake this much', body.ref))
		);
		return { json };
	}
});

export const redemptionRoute = defineRoute(ENDPOINTS.redeem, {
	async handle({ ctx, key, body, now }) {
		const json = await write(ctx, key, now, (tx) =>
			requestRedemption(tx, key, body.amountMicro, body.destination, body.ref, now).catch((e: unknown) => moneyError(e, 'redeem this much', body.ref))
		);
		return { json };
	}
});

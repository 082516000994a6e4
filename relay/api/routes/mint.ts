import { MINT_ACCOUNT, transferIds, userAccount } from '../../ledger/account-ids.js';
import { balanceOf, ensureAccount, transfer, TransferConflict } from '../../ledger/transfer.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** Only the operator's key may create credits. `ref` makes a retried mint harmless. */
export const mintRoute = defineRoute(ENDPOINTS.mint, {
	async handle({ ctx, key, body, now }) {
		if (!ctx.config.operatorKey || key !== ctx.config.operatorKey) {
			throw new DomainError('forbidden', 'only the operator key may mint credits');
		}
		const balanceMicro = await ctx.db.transaction(async (tx) => {
			await ensureAccount(tx, userAccount(body.to), 'user');
			try {
				await transfer(tx, { id: transferIds.mint(body.ref), debit: MINT_ACCOUNT, credit: userAccount(body.to), amountMicro: body.amountMicro, reason: 'mint' }, now);
			} catch (err) {
				if (err instanceof TransferConflict) throw new DomainError('conflict', `mint ref ${body.ref} was already used for another mint`);
				throw err;
			}
			return balanceOf(tx, userAccount(body.to));
		});
		return { json: { key: body.to, grantedMicro: body.amountMicro, balanceMicro } };
	}
});

import * as v from 'valibot';
import type { GrantResponse } from '../../../src/lib/protocol/accounts.js';
import { MINT_ACCOUNT, transferIds, userAccount } from '../../ledger/account-ids.js';
import { balanceOf, ensureAccount, transfer } from '../../ledger/transfer.js';
import { HttpError } from '../http-error.js';
import { defineRoute } from '../route.js';

/** Starter credits so a newcomer can submit a first job: once per key, if the operator allows. */
export const demoGrantRoute = defineRoute({
	method: 'POST',
	path: '/grants/demo',
	signed: true,
	body: 'json',
	schema: v.strictObject({}),
	async handle({ ctx, key, now }) {
		const amount = ctx.config.demoGrantMicro;
		if (amount <= 0) throw new HttpError(403, 'grant_disabled', 'this relay does not give starter credits');
		const signer = key as string;
		const response = await ctx.db.transaction(async (tx): Promise<GrantResponse> => {
			await ensureAccount(tx, userAccount(signer), 'user');
			const { applied } = await transfer(
				tx,
				{ id: transferIds.demoGrant(signer), debit: MINT_ACCOUNT, credit: userAccount(signer), amountMicro: amount, reason: 'grant' },
				now
			);
			if (!applied) throw new HttpError(409, 'grant_used', 'this key already received its starter credits');
			return { key: signer, grantedMicro: amount, balanceMicro: await balanceOf(tx, userAccount(signer)) };
		});
		return { status: 201, json: response };
	}
});

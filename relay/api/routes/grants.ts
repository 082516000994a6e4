import type { GrantResponse } from '../../../src/lib/protocol/accounts.js';
import { starterAccount, transferIds, userAccount } from '../../ledger/account-ids.js';
import { grantStarter } from '../../ledger/starter-grants.js';
import { balanceOf } from '../../ledger/transfer.js';
import { requestAddressKey } from '../../limits/address-key.js';
import { useGrantAllowance } from '../../limits/grant-allowance.js';
import type { Sql } from '../../store/db.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/**
 * Starter credits so a newcomer can submit a first job: once per key, within the address's and
 * the relay's allowance per period, if the operator allows. They land in the key's starter
 * holding: spendable on jobs and training budgets only (ledger/funding.ts).
 */
export const demoGrantRoute = defineRoute(ENDPOINTS.demoGrant, {
	async handle({ ctx, req, key: signer, now }) {
		const amount = ctx.config.demoGrantMicro;
		if (amount <= 0) throw new DomainError('grant_disabled', 'this relay does not give starter credits');
		const address = requestAddressKey(req, ctx.config.trustProxy);
		const grant = async (tx: Sql): Promise<GrantResponse> => {
			// Once per key first: a key asking again must not use up its network's allowance.
			const [given] = await tx.query('SELECT 1 FROM transfers WHERE id = $1', [transferIds.demoGrant(signer)]);
			if (given) throw new DomainError('grant_used', 'this key already received its starter credits');
			await useGrantAllowance(tx, ctx.config.limits, address, now);
			const { applied } = await grantStarter(tx, signer, amount, now);
			if (!applied) throw new DomainError('grant_used', 'this key already received its starter credits');
			const starterMicro = await balanceOf(tx, starterAccount(signer));
			return { key: signer, grantedMicro: amount, balanceMicro: (await balanceOf(tx, userAccount(signer))) + starterMicro, starterMicro };
		};
		// One grant at a time: each one updates the same allowance rows (see serial-queue.ts).
		const response = await ctx.limiter.grants.run(() => ctx.db.transaction(grant));
		return { status: 201, json: response };
	}
});

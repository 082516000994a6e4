import * as v from 'valibot';
import { PublicKeyHexSchema } from '../../../src/lib/protocol/auth.js';
import type { Account } from '../../../src/lib/protocol/accounts.js';
import { starterAccount, transferIds, userAccount } from '../../ledger/account-ids.js';
import { balanceOf } from '../../ledger/transfer.js';
import { int } from '../../store/db.js';
import { badRequest } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

export const accountRoute = defineRoute(ENDPOINTS.account, {
	async handle({ ctx, params }) {
		const key = params.key;
		if (!v.is(PublicKeyHexSchema, key)) throw badRequest('account key must be a 32-byte hex public key');
		const [stats] = await ctx.db.query<{ accepted: unknown; rejected: unknown; earned: unknown; granted: unknown }>(
			`SELECT
				(SELECT count(*) FROM results WHERE worker = $1 AND verdict = 'agreed') AS accepted,
				(SELECT count(*) FROM results WHERE worker = $1 AND verdict = 'rejected') AS rejected,
				(SELECT coalesce(sum(amount_micro), 0) FROM transfers WHERE credit IN ($2, $4) AND reason = 'payout') AS earned,
				(SELECT count(*) FROM transfers WHERE id = $3) AS granted`,
			[key, userAccount(key), transferIds.demoGrant(key), starterAccount(key)]
		);
		const starterMicro = await balanceOf(ctx.db, starterAccount(key));
		const account: Account = {
			key,
			balanceMicro: (await balanceOf(ctx.db, userAccount(key))) + starterMicro,
			starterMicro,
			demoGranted: int(stats?.granted) > 0,
			resultsAccepted: int(stats?.accepted),
			resultsRejected: int(stats?.rejected),
			earnedMicro: int(stats?.earned)
		};
		return { json: account };
	}
});

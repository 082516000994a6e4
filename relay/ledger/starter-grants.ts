import { MINT_ACCOUNT, starterAccount, transferIds } from './account-ids.js';
import { ensureAccount, transfer } from './transfer.js';
import type { Sql } from '../store/db.js';

/** Mints a key's one starter grant into its starter holding; a second one for the key applies nothing. */
export async function grantStarter(tx: Sql, key: string, amountMicro: number, now: number): Promise<{ applied: boolean }> {
	await ensureAccount(tx, starterAccount(key), 'starter');
	return transfer(tx, { id: transferIds.demoGrant(key), debit: MINT_ACCOUNT, credit: starterAccount(key), amountMicro, reason: 'grant' }, now);
}

import type { Holdings } from '../../src/lib/protocol/stakes.js';
import { redeemingAccount, stakeAccount, starterAccount, unstakingAccount, userAccount } from './account-ids.js';
import { int, type Sql } from '../store/db.js';

/** Unstake requests and redemptions listed per key, newest first. */
const HOLDINGS_LIST_MAX = 20;

/** What a key holds across its accounts, with its recent unstakes and redemptions. */
export async function holdingsOf(db: Sql, key: string, unstakeDelayMs: number): Promise<Holdings> {
	const ids = [userAccount(key), starterAccount(key), stakeAccount(key), unstakingAccount(key), redeemingAccount(key)];
	const balances = await db.query<{ id: string; balance_micro: unknown }>('SELECT id, balance_micro FROM accounts WHERE id = ANY($1::text[])', [ids]);
	const of = (id: string) => int(balances.find((b) => b.id === id)?.balance_micro ?? 0);
	const unstakes = await db.query<{ id: string; amount_micro: unknown; requested_at: unknown; release_at: unknown; released_at: unknown }>(
		`SELECT id, amount_micro, requested_at, release_at, released_at FROM unstakes WHERE key = $1 ORDER BY requested_at DESC, id LIMIT ${HOLDINGS_LIST_MAX}`,
		[key]
	);
	const redemptions = await db.query<{ id: string; amount_micro: unknown; destination: string; state: 'requested'; created_at: unknown }>(
		`SELECT id, amount_micro, destination, state, created_at FROM redemptions WHERE key = $1 ORDER BY created_at DESC, id LIMIT ${HOLDINGS_LIST_MAX}`,
		[key]
	);
	return {
		key,
		balanceMicro: of(userAccount(key)),
		starterMicro: of(starterAccount(key)),
		stakeMicro: of(stakeAccount(key)),
		unstakingMicro: of(unstakingAccount(key)),
		redeemingMicro: of(redeemingAccount(key)),
		unstakeDelayMs,
		unstakes: unstakes.map((u) => ({
			id: u.id,
			amountMicro: int(u.amount_micro),
			requestedAt: int(u.requested_at),
			releaseAt: int(u.release_at),
			releasedAt: u.released_at === null ? null : int(u.released_at)
		})),
		redemptions: redemptions.map((r) => ({ id: r.id, amountMicro: int(r.amount_micro), destination: r.destination, state: r.state, createdAt: int(r.created_at) }))
	};
}

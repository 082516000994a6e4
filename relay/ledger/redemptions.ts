import { createHash } from 'node:crypto';
import { redeemingAccount, transferIds, userAccount } from './account-ids.js';
import { RefConflict } from './stakes.js';
import { ensureAccount, transfer } from './transfer.js';
import { int, type Sql } from '../store/db.js';

export const redemptionIdFor = (key: string, ref: string): string => 'r' + createHash('sha256').update(`${key}:${ref}`).digest('hex').slice(0, 24);

/**
 * Records an intent to cash out and locks the credits in the key's redeeming account, so they
 * cannot be spent or redeemed twice. There are no payment rails: an operator settles it
 * outside Mycelia. Idempotent per (key, ref).
 */
export async function requestRedemption(
	tx: Sql,
	key: string,
	amountMicro: number,
	destination: string,
	ref: string,
	now: number
): Promise<{ id: string; created: boolean }> {
	const id = redemptionIdFor(key, ref);
	const [existing] = await tx.query<{ amount_micro: unknown; destination: string }>('SELECT amount_micro, destination FROM redemptions WHERE id = $1', [id]);
	if (existing) {
		if (int(existing.amount_micro) !== amountMicro || existing.destination !== destination) throw new RefConflict(ref);
		return { id, created: false };
	}
	await ensureAccount(tx, userAccount(key), 'user');
	await ensureAccount(tx, redeemingAccount(key), 'redemption');
	await tx.query(`INSERT INTO redemptions (id, key, amount_micro, destination, state, created_at) VALUES ($1, $2, $3, $4, 'requested', $5)`, [
		id,
		key,
		amountMicro,
		destination,
		now
	]);
	await transfer(tx, { id: transferIds.redeem(id), debit: userAccount(key), credit: redeemingAccount(key), amountMicro, reason: 'redeem' }, now);
	return { id, created: true };
}

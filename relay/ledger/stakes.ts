import { createHash } from 'node:crypto';
import { INSURANCE_ACCOUNT, stakeAccount, transferIds, unstakingAccount, userAccount } from './account-ids.js';
import { ensureAccount, lockBalances, transfer, transferMany, type Transfer } from './transfer.js';
import { int, type Sql } from '../store/db.js';

/** Unstake requests released per maintenance pass: bounds one transaction's work. */
export const RELEASE_BATCH_MAX = 100;

export class RefConflict extends Error {
	constructor(readonly ref: string) {
		super(`ref ${ref} was already used for a different request`);
	}
}

/** Same key and ref always name the same unstake request. */
export const unstakeIdFor = (key: string, ref: string): string => 'u' + createHash('sha256').update(`${key}:${ref}`).digest('hex').slice(0, 24);

/** Moves credits from the available balance into the stake. Idempotent per (key, ref). */
export async function stake(tx: Sql, key: string, amountMicro: number, ref: string, now: number): Promise<{ applied: boolean }> {
	await ensureAccount(tx, userAccount(key), 'user');
	await ensureAccount(tx, stakeAccount(key), 'stake');
	return transfer(tx, { id: transferIds.stake(key, ref), debit: userAccount(key), credit: stakeAccount(key), amountMicro, reason: 'stake' }, now);
}

/**
 * Starts an unstake: the credits leave the stake now (so they cannot be unstaked twice) and
 * wait in the key's unstaking account, still slashable, until `now + delayMs`.
 */
export async function requestUnstake(
	tx: Sql,
	key: string,
	amountMicro: number,
	ref: string,
	delayMs: number,
	now: number
): Promise<{ id: string; created: boolean }> {
	const id = unstakeIdFor(key, ref);
	const [existing] = await tx.query<{ key: string; amount_micro: unknown }>('SELECT key, amount_micro FROM unstakes WHERE id = $1', [id]);
	if (existing) {
		if (existing.key !== key || int(existing.amount_micro) !== amountMicro) throw new RefConflict(ref);
		return { id, created: false };
	}
	await ensureAccount(tx, stakeAccount(key), 'stake');
	await ensureAccount(tx, unstakingAccount(key), 'unstaking');
	await tx.query('INSERT INTO unstakes (id, key, amount_micro, requested_at, release_at) VALUES ($1, $2, $3, $4, $5)', [id, key, amountMicro, now, now + delayMs]);
	await transfer(tx, { id: transferIds.unstake(id), debit: stakeAccount(key), credit: unstakingAccount(key), amountMicro, reason: 'unstake' }, now);
	return { id, created: true };
}

/**
 * Returns due unstakes to their keys' balances, oldest first. A request gets back at most what
 * is left in the unstaking account (a slash while unstaking takes from it), so the release can
 * never overdraw. Pass `key` to release only that key's requests.
 */
export async function releaseDueUnstakes(tx: Sql, now: number, key: string | null = null): Promise<number> {
	const due = await tx.query<{ id: string; key: string; amount_micro: unknown }>(
		`SELECT id, key, amount_micro FROM unstakes
		WHERE released_at IS NULL AND release_at <= $1 AND ($2::text IS NULL OR key = $2)
		ORDER BY release_at, id LIMIT ${RELEASE_BATCH_MAX} FOR UPDATE`,
		[now, key]
	);
	if (due.length === 0) return 0;
	const left = await lockBalances(tx, [...new Set(due.map((u) => unstakingAccount(u.key)))]);
	const transfers: Transfer[] = [];
	const released: unknown[] = [];
	for (const u of due) {
		const account = unstakingAccount(u.key);
		const amount = Math.min(int(u.amount_micro), left.get(account) ?? 0);
		left.set(account, (left.get(account) ?? 0) - amount);
		if (amount > 0) {
			await ensureAccount(tx, userAccount(u.key), 'user');
			transfers.push({ id: transferIds.release(u.id), debit: account, credit: userAccount(u.key), amountMicro: amount, reason: 'release' });
		}
		released.push(u.id, amount);
	}
	await transferMany(tx, transfers, now);
	const rows = due.map((_, i) => `($${2 * i + 2}::text, $${2 * i + 3}::bigint)`);
	await tx.query(
		`UPDATE unstakes u SET released_at = $1, released_micro = v.amount FROM (VALUES ${rows.join(', ')}) AS v (id, amount) WHERE u.id = v.id`,
		[now, ...released]
	);
	return due.length;
}

/**
 * Slashes up to `wantMicro` from a key: from its stake first, then from credits still
 * unstaking; never more than the two hold, so a stake can never go negative. The credits go to
 * the insurance account. Returns what was taken. A key is slashed once per task: a retry returns
 * what the first slash took and takes nothing more.
 */
export async function slash(tx: Sql, key: string, wantMicro: number, taskId: string, jobId: string, now: number): Promise<number> {
	if (!Number.isSafeInteger(wantMicro) || wantMicro < 0) throw new RangeError(`slash amount ${wantMicro} must be a non-negative integer`);
	// The entry ids name the task and key but not the amounts, which depend on the balances now:
	// without this a retry would take again from whatever the key holds by then.
	const prior = await tx.query<{ amount_micro: unknown }>('SELECT amount_micro FROM transfers WHERE id = ANY($1::text[])', [
		[transferIds.slash(taskId, key, 'stake'), transferIds.slash(taskId, key, 'unstaking')]
	]);
	if (prior.length > 0) return prior.reduce((sum, p) => sum + int(p.amount_micro), 0);
	const held = await lockBalances(tx, [stakeAccount(key), unstakingAccount(key)]);
	const fromStake = Math.min(wantMicro, held.get(stakeAccount(key)) ?? 0);
	const fromUnstaking = Math.min(wantMicro - fromStake, held.get(unstakingAccount(key)) ?? 0);
	const transfers: Transfer[] = [];
	if (fromStake > 0) {
		transfers.push({ id: transferIds.slash(taskId, key, 'stake'), debit: stakeAccount(key), credit: INSURANCE_ACCOUNT, amountMicro: fromStake, reason: 'slash', jobId, taskId });
	}
	if (fromUnstaking > 0) {
		transfers.push({ id: transferIds.slash(taskId, key, 'unstaking'), debit: unstakingAccount(key), credit: INSURANCE_ACCOUNT, amountMicro: fromUnstaking, reason: 'slash', jobId, taskId });
	}
	await transferMany(tx, transfers, now);
	return fromStake + fromUnstaking;
}


// Which holding pays for work, and so where its money goes. A job or funded training session is
// paid either from the payer's balance (credits bought or earned) or from its starter credits
// (granted free). Its payouts, refunds and clawbacks stay in the same kind of holding: a
// starter-funded job pays its workers in starter credits. Starter credits can therefore only
// ever buy work; they never reach a balance, so they cannot be staked or redeemed, however many
// keys one person farms them with and however those keys pay each other.
import { AMOUNT_MICRO_MAX } from '../../src/lib/protocol/limits.js';
import { starterAccount, userAccount } from './account-ids.js';
import { ensureAccount, InsufficientFunds, lockBalances, transferMany, type Transfer } from './transfer.js';
import type { Sql } from '../store/db.js';

export type Funding = 'balance' | 'starter';

/** The holding of `key` that a job of this funding draws on, pays into and refunds to. */
export const holdingFor = (funding: Funding, key: string): string => (funding === 'starter' ? starterAccount(key) : userAccount(key));

export const isFunding = (v: unknown): v is Funding => v === 'balance' || v === 'starter';

/** Neither holding covers the amount alone (they are never mixed in one escrow). */
export class FundsShort extends InsufficientFunds {
	constructor(
		payer: string,
		readonly balanceMicro: number,
		readonly starterMicro: number,
		readonly amountMicro: number
	) {
		super(`${userAccount(payer)} and ${starterAccount(payer)}`);
		this.message =
			starterMicro > 0
				? `neither your balance (${balanceMicro} µcr) nor your starter credits (${starterMicro} µcr) cover ${amountMicro} µcr; work is paid from one or the other, never both`
				: `your balance (${balanceMicro} µcr) does not cover ${amountMicro} µcr`;
	}
}

/**
 * Moves `amountMicro` from the payer into `escrow` with transfer `t`, from its starter credits
 * when they cover it (they are for spending first), else from its balance. Returns the funding
 * used; throws FundsShort when neither covers it. Both holdings are locked for the decision.
 */
export async function fundEscrow(tx: Sql, payer: string, escrow: string, amountMicro: number, t: Omit<Transfer, 'debit' | 'credit' | 'amountMicro'>, now: number): Promise<Funding> {
	if (!Number.isSafeInteger(amountMicro) || amountMicro <= 0 || amountMicro > AMOUNT_MICRO_MAX) {
		throw new RangeError(`transfer ${t.id}: amount ${amountMicro} must be a positive integer ≤ ${AMOUNT_MICRO_MAX}`);
	}
	const held = await lockBalances(tx, [userAccount(payer), starterAccount(payer)]);
	const balance = held.get(userAccount(payer)) ?? 0;
	const starter = held.get(starterAccount(payer)) ?? 0;
	const funding: Funding | null = starter >= amountMicro ? 'starter' : balance >= amountMicro ? 'balance' : null;
	if (!funding) throw new FundsShort(payer, balance, starter, amountMicro);
	await ensureAccount(tx, holdingFor(funding, payer), funding === 'starter' ? 'starter' : 'user');
	await transferMany(tx, [{ ...t, debit: holdingFor(funding, payer), credit: escrow, amountMicro }], now);
	return funding;
}

/** Makes sure the holdings payouts of this funding will land in exist (a transfer never creates one). */
export async function ensureHoldings(tx: Sql, funding: Funding, keys: readonly string[]): Promise<void> {
	if (keys.length === 0) return;
	const ids = [...new Set(keys)].map((k) => holdingFor(funding, k));
	await tx.query(`INSERT INTO accounts (id, kind) SELECT unnest($1::text[]), $2::text ON CONFLICT (id) DO NOTHING`, [ids, funding === 'starter' ? 'starter' : 'user']);
}

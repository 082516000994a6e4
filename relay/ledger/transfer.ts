import { AMOUNT_MICRO_MAX } from '../../src/lib/protocol/limits.js';
import { int, pgCode, PG, type Sql } from '../store/db.js';

export type TransferReason = 'grant' | 'mint' | 'escrow' | 'payout' | 'fee' | 'refund';

export interface Transfer {
	id: string;
	debit: string;
	credit: string;
	amountMicro: number;
	reason: TransferReason;
	jobId?: string | null;
	taskId?: string | null;
}

export class InsufficientFunds extends Error {
	constructor(readonly account: string) {
		super(`account ${account} has too few credits for this transfer`);
	}
}

export class TransferConflict extends Error {
	constructor(readonly id: string) {
		super(`transfer ${id} already exists with different content`);
	}
}

/** Makes sure an account exists before money moves into it. */
export async function ensureAccount(tx: Sql, id: string, kind: 'user' | 'escrow'): Promise<void> {
	await tx.query('INSERT INTO accounts (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, kind]);
}

/**
 * Moves money in one statement: the entry and both balance updates happen together or not at
 * all. Applying the same id twice is a no-op that returns `applied: false`; the same id with
 * other content throws TransferConflict. Must run inside a transaction.
 */
export async function transfer(tx: Sql, t: Transfer, now: number): Promise<{ applied: boolean }> {
	if (!Number.isSafeInteger(t.amountMicro) || t.amountMicro <= 0 || t.amountMicro > AMOUNT_MICRO_MAX) {
		throw new RangeError(`transfer ${t.id}: amount ${t.amountMicro} must be a positive integer ≤ ${AMOUNT_MICRO_MAX}`);
	}
	if (t.debit === t.credit) throw new RangeError(`transfer ${t.id}: debit and credit are the same account`);
	let rows: { inserted: unknown; debited: unknown; credited: unknown }[];
	try {
		rows = await tx.query(
			`WITH ins AS (
				INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, task_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO NOTHING
				RETURNING debit, credit, amount_micro
			), d AS (
				UPDATE accounts a SET balance_micro = a.balance_micro - ins.amount_micro FROM ins WHERE a.id = ins.debit RETURNING a.id
			), c AS (
				UPDATE accounts a SET balance_micro = a.balance_micro + ins.amount_micro FROM ins WHERE a.id = ins.credit RETURNING a.id
			)
			SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM d) AS debited, (SELECT count(*) FROM c) AS credited`,
			[t.id, t.debit, t.credit, t.amountMicro, t.reason, t.jobId ?? null, t.taskId ?? null, now]
		);
	} catch (err) {
		if (pgCode(err) === PG.checkViolation) throw new InsufficientFunds(t.debit);
		throw err;
	}
	const row = rows[0];
	if (!row) throw new Error('transfer statement returned no row');
	if (int(row.inserted) === 1) {
		// Both accounts must exist: a missing one would silently create or destroy money.
		if (int(row.debited) !== 1 || int(row.credited) !== 1) {
			throw new Error(`transfer ${t.id}: account missing (debited ${row.debited}, credited ${row.credited})`);
		}
		return { applied: true };
	}
	const [prior] = await tx.query<{ debit: string; credit: string; amount_micro: unknown; reason: string }>(
		'SELECT debit, credit, amount_micro, reason FROM transfers WHERE id = $1',
		[t.id]
	);
	if (!prior || prior.debit !== t.debit || prior.credit !== t.credit || int(prior.amount_micro) !== t.amountMicro || prior.reason !== t.reason) {
		throw new TransferConflict(t.id);
	}
	return { applied: false };
}

export async function balanceOf(tx: Sql, account: string): Promise<number> {
	const [row] = await tx.query<{ balance_micro: unknown }>('SELECT balance_micro FROM accounts WHERE id = $1', [account]);
	return row ? int(row.balance_micro) : 0;
}

import { AMOUNT_MICRO_MAX } from '../../src/lib/protocol/limits.js';
import type { TransferReason } from '../../src/lib/protocol/ledger.js';
import { int, pgCode, PG, type Sql } from '../store/db.js';

export type { TransferReason };

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
export async function ensureAccount(tx: Sql, id: string, kind: 'user' | 'escrow' | 'stake' | 'unstaking' | 'redemption' | 'starter'): Promise<void> {
	await tx.query('INSERT INTO accounts (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, kind]);
}

/**
 * Moves money in one statement: the entries and every balance update happen together or not
 * at all. Applying the same id twice is a no-op (it is not in `applied`); the same id with
 * other content throws TransferConflict. Must run inside a transaction.
 */
export async function transferMany(tx: Sql, transfers: readonly Transfer[], now: number): Promise<{ applied: string[] }> {
	if (transfers.length === 0) return { applied: [] };
	const values: unknown[] = [now];
	const rows = transfers.map((t, i) => {
		if (!Number.isSafeInteger(t.amountMicro) || t.amountMicro <= 0 || t.amountMicro > AMOUNT_MICRO_MAX) {
			throw new RangeError(`transfer ${t.id}: amount ${t.amountMicro} must be a positive integer ≤ ${AMOUNT_MICRO_MAX}`);
		}
		if (t.debit === t.credit) throw new RangeError(`transfer ${t.id}: debit and credit are the same account`);
		values.push(t.id, t.debit, t.credit, t.amountMicro, t.reason, t.jobId ?? null, t.taskId ?? null);
		const b = 2 + i * 7;
		return `($${b}::text, $${b + 1}::text, $${b + 2}::text, $${b + 3}::bigint, $${b + 4}::text, $${b + 5}::text, $${b + 6}::text)`;
	});
	let result: { inserted: string[] | null; updated: unknown; touched: unknown }[];
	try {
		result = await tx.query(
			`WITH input (id, debit, credit, amount_micro, reason, job_id, task_id) AS (VALUES ${rows.join(', ')}),
			ins AS (
				INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, task_id, created_at)
				SELECT id, debit, credit, amount_micro, reason, job_id, task_id, $1 FROM input
				ON CONFLICT (id) DO NOTHING
				RETURNING id, debit, credit, amount_micro
			), deltas AS (
				SELECT debit AS account, -amount_micro AS delta FROM ins UNION ALL SELECT credit, amount_micro FROM ins
			), upd AS (
				UPDATE accounts a SET balance_micro = a.balance_micro + s.delta
				FROM (SELECT account, sum(delta) AS delta FROM deltas GROUP BY account) s WHERE a.id = s.account RETURNING a.id
			)
			SELECT (SELECT array_agg(id) FROM ins) AS inserted, (SELECT count(*) FROM upd) AS updated,
				(SELECT count(DISTINCT account) FROM deltas) AS touched`,
			values
		);
	} catch (err) {
		// Only the balance check on accounts means "too few credits"; other checks are bugs to surface.
		const table = (err as { table?: string; table_name?: string }).table ?? (err as { table_name?: string }).table_name;
		if (pgCode(err) === PG.checkViolation && table === 'accounts') {
			throw new InsufficientFunds(transfers.map((t) => t.debit).join(', '));
		}
		throw err;
	}
	const row = result[0];
	if (!row) throw new Error('transfer statement returned no row');
	// Every account touched must exist: a missing one would silently create or destroy money.
	if (int(row.updated) !== int(row.touched)) throw new Error(`transfer: ${int(row.touched) - int(row.updated)} account(s) missing`);
	const applied = row.inserted ?? [];
	const skipped = transfers.filter((t) => !applied.includes(t.id));
	if (skipped.length > 0) {
		const prior = await tx.query<{ id: string; debit: string; credit: string; amount_micro: unknown; reason: string }>(
			'SELECT id, debit, credit, amount_micro, reason FROM transfers WHERE id = ANY($1::text[])',
			[skipped.map((t) => t.id)]
		);
		for (const t of skipped) {
			const p = prior.find((x) => x.id === t.id);
			if (!p || p.debit !== t.debit || p.credit !== t.credit || int(p.amount_micro) !== t.amountMicro || p.reason !== t.reason) {
				throw new TransferConflict(t.id);
			}
		}
	}
	return { applied };
}

/** One transfer; see transferMany. */
export async function transfer(tx: Sql, t: Transfer, now: number): Promise<{ applied: boolean }> {
	const { applied } = await transferMany(tx, [t], now);
	return { applied: applied.length === 1 };
}

export async function balanceOf(tx: Sql, account: string): Promise<number> {
	const [row] = await tx.query<{ balance_micro: unknown }>('SELECT balance_micro FROM accounts WHERE id = $1', [account]);
	return row ? int(row.balance_micro) : 0;
}

/**
 * Reads balances and locks their rows until the transaction ends, so a decision about how much
 * to move (a slash, a clawback) is never made from a stale read. Missing accounts read as 0.
 */
export async function lockBalances(tx: Sql, accounts: readonly string[]): Promise<Map<string, number>> {
	const rows = await tx.query<{ id: string; balance_micro: unknown }>(
		'SELECT id, balance_micro FROM accounts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
		[accounts]
	);
	const balances = new Map(accounts.map((a) => [a, 0]));
	for (const r of rows) balances.set(r.id, int(r.balance_micro));
	return balances;
}

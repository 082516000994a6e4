import { int, type Sql } from '../store/db.js';

/**
 * Checks the ledger's invariants (DESIGN.md, "Money"). Returns the violations; an empty list
 * means the books balance. Used by tests after every step and by the health endpoint.
 */
export async function checkInvariants(db: Sql): Promise<string[]> {
	const problems: string[] = [];
	const [sum] = await db.query<{ total: unknown }>('SELECT coalesce(sum(balance_micro), 0) AS total FROM accounts');
	if (int(sum?.total) !== 0) problems.push(`balances sum to ${sum?.total}, not 0`);

	const negative = await db.query<{ id: string }>(`SELECT id FROM accounts WHERE kind <> 'mint' AND balance_micro < 0`);
	for (const r of negative) problems.push(`account ${r.id} is negative`);

	const drift = await db.query<{ id: string; balance_micro: unknown; derived: unknown }>(
		`SELECT a.id, a.balance_micro,
			coalesce((SELECT sum(amount_micro) FROM transfers WHERE credit = a.id), 0)
			- coalesce((SELECT sum(amount_micro) FROM transfers WHERE debit = a.id), 0) AS derived
		FROM accounts a`
	);
	for (const r of drift) {
		if (int(r.balance_micro) !== int(r.derived)) problems.push(`account ${r.id} balance ${r.balance_micro} ≠ entries ${r.derived}`);
	}

	const escrows = await db.query<{ id: string; budget: unknown; balance: unknown; paid: unknown; refunded: unknown }>(
		`SELECT j.id, j.budget_micro AS budget, a.balance_micro AS balance,
			coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason IN ('payout', 'fee')), 0) AS paid,
			coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason = 'refund'), 0) AS refunded
		FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id`
	);
	for (const e of escrows) {
		const expected = int(e.budget) - int(e.paid) - int(e.refunded);
		if (int(e.balance) !== expected) problems.push(`escrow of job ${e.id} holds ${e.balance}, expected budget − paid − refunded = ${expected}`);
	}

	const overpaid = await db.query<{ task_id: string; n: unknown }>(
		`SELECT task_id, count(*) AS n FROM transfers WHERE reason = 'payout' GROUP BY task_id HAVING count(*) > 2`
	);
	for (const r of overpaid) problems.push(`task ${r.task_id} has ${r.n} payouts (at most 2)`);

	const open = await db.query<{ id: string; balance: unknown }>(
		`SELECT j.id, a.balance_micro AS balance FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id
		WHERE j.state <> 'running' AND a.balance_micro <> 0`
	);
	for (const r of open) problems.push(`finished job ${r.id} still holds ${r.balance} in escrow`);
	return problems;
}

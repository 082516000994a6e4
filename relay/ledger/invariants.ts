import { int, type Sql } from '../store/db.js';

/** One named invariant and what it found; no problems means it holds. */
export interface InvariantResult {
	name: string;
	problems: string[];
}

type Check = { name: string; run(db: Sql): Promise<string[]> };

/** The ledger's invariants (DESIGN.md, "Money"), each a query that lists what breaks it. */
const CHECKS: Check[] = [
	{
		name: 'balances sum to zero',
		async run(db) {
			const [sum] = await db.query<{ total: unknown }>('SELECT coalesce(sum(balance_micro), 0) AS total FROM accounts');
			return int(sum?.total) === 0 ? [] : [`balances sum to ${sum?.total}, not 0`];
		}
	},
	{
		name: 'nothing but the mint is negative',
		async run(db) {
			const rows = await db.query<{ id: string }>(`SELECT id FROM accounts WHERE kind <> 'mint' AND balance_micro < 0`);
			return rows.map((r) => `account ${r.id} is negative`);
		}
	},
	{
		name: 'every balance equals its entries',
		async run(db) {
			const rows = await db.query<{ id: string; balance_micro: unknown; derived: unknown }>(
				`SELECT a.id, a.balance_micro,
					coalesce((SELECT sum(amount_micro) FROM transfers WHERE credit = a.id), 0)
					- coalesce((SELECT sum(amount_micro) FROM transfers WHERE debit = a.id), 0) AS derived
				FROM accounts a`
			);
			return rows.filter((r) => int(r.balance_micro) !== int(r.derived)).map((r) => `account ${r.id} balance ${r.balance_micro} ≠ entries ${r.derived}`);
		}
	},
	{
		name: 'each escrow equals budget − paid − refunded',
		async run(db) {
			const rows = await db.query<{ id: string; budget: unknown; balance: unknown; paid: unknown; refunded: unknown }>(
				`SELECT j.id, j.budget_micro AS budget, a.balance_micro AS balance,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason IN ('payout', 'fee')), 0) AS paid,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason = 'refund'), 0) AS refunded
				FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id`
			);
			const problems: string[] = [];
			for (const e of rows) {
				const expected = int(e.budget) - int(e.paid) - int(e.refunded);
				if (int(e.balance) !== expected) problems.push(`escrow of job ${e.id} holds ${e.balance}, expected budget − paid − refunded = ${expected}`);
			}
			return problems;
		}
	},
	{
		name: 'each task slot is paid at most once',
		async run(db) {
			const rows = await db.query<{ task_id: string; n: unknown }>(
				`SELECT task_id, count(*) AS n FROM transfers WHERE reason = 'payout' GROUP BY task_id HAVING count(*) > 2`
			);
			return rows.map((r) => `task ${r.task_id} has ${r.n} payouts (at most 2)`);
		}
	},
	{
		name: 'finished jobs hold no escrow',
		async run(db) {
			const rows = await db.query<{ id: string; balance: unknown }>(
				`SELECT j.id, a.balance_micro AS balance FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id
				WHERE j.state <> 'running' AND a.balance_micro <> 0`
			);
			return rows.map((r) => `finished job ${r.id} still holds ${r.balance} in escrow`);
		}
	}
];

/** Every invariant with its findings, for the health endpoint and page. */
export async function invariantReport(db: Sql): Promise<InvariantResult[]> {
	const results: InvariantResult[] = [];
	for (const check of CHECKS) results.push({ name: check.name, problems: await check.run(db) });
	return results;
}

/**
 * Checks the ledger's invariants and returns the violations; an empty list means the books
 * balance. Used by tests after every step.
 */
export async function checkInvariants(db: Sql): Promise<string[]> {
	return (await invariantReport(db)).flatMap((r) => r.problems);
}

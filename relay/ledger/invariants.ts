import { QUORUM } from '../../src/lib/protocol/limits.js';
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
		name: 'each escrow equals budget − paid − refunded (+ clawed back)',
		async run(db) {
			const rows = await db.query<{ id: string; budget: unknown; balance: unknown; paid: unknown; refunded: unknown; clawed: unknown }>(
				`SELECT j.id, j.budget_micro AS budget, a.balance_micro AS balance,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason IN ('payout', 'fee')), 0) AS paid,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = a.id AND t.reason = 'refund'), 0) AS refunded,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.credit = a.id AND t.reason = 'clawback'), 0) AS clawed
				FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id`
			);
			const problems: string[] = [];
			for (const e of rows) {
				const expected = int(e.budget) - int(e.paid) - int(e.refunded) + int(e.clawed);
				if (int(e.balance) !== expected) problems.push(`escrow of job ${e.id} holds ${e.balance}, expected budget − paid − refunded + clawed back = ${expected}`);
			}
			return problems;
		}
	},
	{
		name: 'each task slot is paid at most once',
		async run(db) {
			// Payout ids are per (task, worker), so nobody is paid twice for one task; a task pays at
			// most QUORUM workers net of payouts clawed back from keys caught cheating.
			const rows = await db.query<{ task_id: string; payouts: unknown; clawbacks: unknown; net: unknown; price: unknown }>(
				`SELECT t.id AS task_id, t.price_micro AS price,
					count(*) FILTER (WHERE x.reason = 'payout') AS payouts, count(*) FILTER (WHERE x.reason = 'clawback') AS clawbacks,
					coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'payout'), 0) - coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'clawback'), 0) AS net
				FROM transfers x JOIN tasks t ON t.id = x.task_id WHERE x.reason IN ('payout', 'clawback')
				GROUP BY t.id, t.price_micro
				HAVING count(*) FILTER (WHERE x.reason = 'payout') - count(*) FILTER (WHERE x.reason = 'clawback') > ${QUORUM}
					OR coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'payout'), 0) - coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'clawback'), 0) > ${QUORUM} * t.price_micro`
			);
			return rows.map((r) => `task ${r.task_id} has ${r.payouts} payouts and ${r.clawbacks} clawbacks, net ${r.net} µcr (at most ${QUORUM} × ${r.price})`);
		}
	},
	{
		name: 'stakes are never negative',
		async run(db) {
			const rows = await db.query<{ id: string; balance_micro: unknown }>(
				`SELECT id, balance_micro FROM accounts WHERE kind IN ('stake', 'unstaking') AND balance_micro < 0`
			);
			return rows.map((r) => `${r.id} is ${r.balance_micro}`);
		}
	},
	{
		name: 'unstaking credits never exceed the pending unstakes',
		async run(db) {
			const rows = await db.query<{ id: string; balance: unknown; pending: unknown }>(
				`SELECT a.id, a.balance_micro AS balance,
					coalesce((SELECT sum(u.amount_micro) FROM unstakes u WHERE 'unstaking:' || u.key = a.id AND u.released_at IS NULL), 0) AS pending
				FROM accounts a WHERE a.kind = 'unstaking'`
			);
			return rows.filter((r) => int(r.balance) > int(r.pending)).map((r) => `${r.id} holds ${r.balance} but only ${r.pending} is pending release`);
		}
	},
	{
		name: 'credits locked for redemption equal the requests',
		async run(db) {
			const rows = await db.query<{ id: string; balance: unknown; requested: unknown }>(
				`SELECT a.id, a.balance_micro AS balance,
					coalesce((SELECT sum(r.amount_micro) FROM redemptions r WHERE 'redeeming:' || r.key = a.id AND r.state = 'requested'), 0) AS requested
				FROM accounts a WHERE a.kind = 'redemption'`
			);
			return rows.filter((r) => int(r.balance) !== int(r.requested)).map((r) => `${r.id} holds ${r.balance}, requests total ${r.requested}`);
		}
	},
	{
		name: 'slashed totals equal the slash entries',
		async run(db) {
			const rows = await db.query<{ key: string; recorded: unknown; entries: unknown }>(
				`SELECT r.key, r.slashed_micro AS recorded,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.reason = 'slash' AND t.debit IN ('stake:' || r.key, 'unstaking:' || r.key)), 0) AS entries
				FROM reputations r`
			);
			return rows.filter((r) => int(r.recorded) !== int(r.entries)).map((r) => `key ${r.key} records ${r.recorded} slashed, entries say ${r.entries}`);
		}
	},
	{
		name: 'starter credits only ever pay for work',
		async run(db) {
			// ledger/funding.ts: a starter holding is paid into by its grant and by work that starter
			// credits funded, and pays out only into the escrow of work (or back, on a clawback); each
			// escrow pays, refunds and claws back in the kind of holding that funded it.
			const rows = await db.query<{ id: string; why: string }>(
				`SELECT id, 'leaves a starter holding as ' || reason AS why FROM transfers
					WHERE debit LIKE 'starter:%' AND reason NOT IN ('escrow', 'train-escrow', 'clawback')
				UNION ALL SELECT id, 'enters a starter holding as ' || reason FROM transfers
					WHERE credit LIKE 'starter:%' AND reason NOT IN ('grant', 'payout', 'refund', 'clawback', 'train-payout', 'train-refund')
				UNION ALL SELECT t.id, 'moves ' || t.reason || ' for a job funded from ' || j.funding || ' through the other holding'
					FROM transfers t JOIN jobs j ON j.id = t.job_id
					WHERE (t.reason = 'escrow' AND (j.funding = 'starter') <> (t.debit LIKE 'starter:%'))
						OR (t.reason IN ('payout', 'refund') AND (j.funding = 'starter') <> (t.credit LIKE 'starter:%'))
						OR (t.reason = 'clawback' AND (j.funding = 'starter') <> (t.debit LIKE 'starter:%'))
				UNION ALL SELECT t.id, 'moves ' || t.reason || ' for a session funded from ' || s.funding || ' through the other holding'
					FROM transfers t JOIN train_sessions s ON t.debit = 'train-escrow:' || s.id OR t.credit = 'train-escrow:' || s.id
					WHERE (t.reason = 'train-escrow' AND (s.funding = 'starter') <> (t.debit LIKE 'starter:%'))
						OR (t.reason IN ('train-payout', 'train-refund') AND (s.funding = 'starter') <> (t.credit LIKE 'starter:%'))`
			);
			return rows.map((r) => `transfer ${r.id} ${r.why}`);
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
	},
	{
		name: 'each training escrow equals budget − paid − refunded, and receipts match the payouts',
		async run(db) {
			const rows = await db.query<{ id: string; state: string; budget: unknown; balance: unknown; paid: unknown; refunded: unknown; receipts: unknown }>(
				`SELECT s.id, s.state, s.budget_micro AS budget, coalesce(a.balance_micro, 0) AS balance,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'train-escrow:' || s.id AND t.reason = 'train-payout'), 0) AS paid,
					coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'train-escrow:' || s.id AND t.reason = 'train-refund'), 0) AS refunded,
					coalesce((SELECT sum(amount_micro) FROM train_receipts r WHERE r.session_id = s.id), 0) AS receipts
				FROM train_sessions s LEFT JOIN accounts a ON a.id = 'train-escrow:' || s.id WHERE s.mode = 'funded'`
			);
			const problems: string[] = [];
			for (const r of rows) {
				const expected = int(r.budget) - int(r.paid) - int(r.refunded);
				if (int(r.balance) !== expected) problems.push(`training escrow of ${r.id} holds ${r.balance}, expected ${expected}`);
				if (int(r.receipts) !== int(r.paid)) problems.push(`session ${r.id}: receipts say ${r.receipts} paid, payouts say ${r.paid}`);
				if (r.state === 'ended' && int(r.balance) !== 0) problems.push(`ended session ${r.id} still holds ${r.balance} in escrow`);
			}
			return problems;
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

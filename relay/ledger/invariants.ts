import { QUORUM } from '../../src/lib/protocol/limits.js';
import { int, type Sql } from '../store/db.js';

/** One named invariant and what it found; no problems means it holds. */
interface InvariantResult {
	name: string;
	problems: string[];
}

/** One bounded statement of a check: what it found, and where the next one starts (null: done). */
interface Step {
	problems: string[];
	next: string | null;
}

interface Check {
	name: string;
	/** The most rows one step reads; null: the check is one statement over the whole table. */
	pageRows: number | null;
	step(db: Sql, after: string, pageRows: number): Promise<Step>;
}

/**
 * What one statement should take at most. Pages start small and double while statements stay
 * well under this, and halve when one goes over it, so a page of accounts with busy escrows or
 * the fee account reads fewer rows than a page of quiet keys.
 */
const STEP_MS_TARGET = 2;
const PAGE_ROWS_FIRST = 16;

/**
 * The page as a key range on `column`. Every table a check reads is restricted this way, on an
 * index: joined to the page instead, the planner (estimating from a column's few distinct
 * values, most debits being the mint's) scanned whole tables once per page.
 */
const inPage = (column: string): string => `${column} > $1 AND ${column} <= (SELECT hi FROM bound)`;

/**
 * A check over one table in key order, `pageRows` keys per statement, so no statement holds
 * PGlite's exclusive lock for long however large the books grow. `keys` selects the keys as `k`
 * after `$1`, in order; `problems` lists the broken rows in the page (`inPage`), with a column `bad` true.
 * Each statement reads one snapshot, so a row's figures always agree with each other; only
 * rows in different pages may be read at different moments, which no per-row invariant minds.
 */
function paged<Row extends Record<string, unknown>>(name: string, pageRows: number, keys: string, problems: string, describe: (r: Row) => string): Check {
	return {
		name,
		pageRows,
		async step(db, after, rows) {
			const found = await db.query<Row & { hi: string | null; n: unknown; bad: boolean | null }>(
				`WITH page AS (${keys} ORDER BY k LIMIT ${rows}), bound AS (SELECT max(k) AS hi, count(*) AS n FROM page)
				SELECT bound.hi, bound.n, x.* FROM bound LEFT JOIN (${problems}) x ON true`,
				[after]
			);
			const first = found[0];
			return {
				problems: found.filter((r) => r.bad === true).map(describe),
				next: first?.hi != null && int(first.n) >= rows ? first.hi : null
			};
		}
	};
}

/** The ledger's invariants (DESIGN.md, "Money"), each a query that lists what breaks it. */
const CHECKS: Check[] = [
	{
		// One statement over every account: a sum read across pages could straddle a transfer.
		name: 'balances sum to zero',
		pageRows: null,
		async step(db) {
			const [sum] = await db.query<{ total: unknown }>('SELECT coalesce(sum(balance_micro), 0) AS total FROM accounts');
			return { problems: int(sum?.total) === 0 ? [] : [`balances sum to ${sum?.total}, not 0`], next: null };
		}
	},
	paged<{ id: string }>(
		'nothing but the mint is negative',
		1024,
		`SELECT id AS k FROM accounts WHERE id > $1`,
		`SELECT true AS bad, a.id FROM accounts a WHERE ${inPage('a.id')} AND a.kind <> 'mint' AND a.balance_micro < 0`,
		(r) => `account ${r.id} is negative`
	),
	paged<{ id: string; balance_micro: unknown; derived: unknown }>(
		'every balance equals its entries',
		256,
		`SELECT id AS k FROM accounts WHERE id > $1`,
		// Entries by key range on the credit and debit indexes.
		`SELECT true AS bad, a.id, a.balance_micro, coalesce(c.s, 0) - coalesce(d.s, 0) AS derived FROM accounts a
		LEFT JOIN (SELECT credit AS id, sum(amount_micro) AS s FROM transfers WHERE ${inPage('credit')} GROUP BY credit) c ON c.id = a.id
		LEFT JOIN (SELECT debit AS id, sum(amount_micro) AS s FROM transfers WHERE ${inPage('debit')} GROUP BY debit) d ON d.id = a.id
		WHERE ${inPage('a.id')} AND a.balance_micro <> coalesce(c.s, 0) - coalesce(d.s, 0)`,
		(r) => `account ${r.id} balance ${r.balance_micro} ≠ entries ${r.derived}`
	),
	paged<{ id: string; balance: unknown; expected: unknown }>(
		'each escrow equals budget − paid − refunded (+ clawed back)',
		64,
		`SELECT id AS k FROM jobs WHERE id > $1`,
		// The page's money by job id (every payout, fee, refund and clawback names its job), one
		// range on that index. Money moved from the wrong escrow still shows: that escrow drifts.
		`SELECT true AS bad, e.id, e.balance, e.expected FROM (
			SELECT j.id, a.balance_micro AS balance, j.budget_micro - coalesce(m.paid, 0) + coalesce(m.clawed, 0) AS expected
			FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id
			LEFT JOIN (
				SELECT job_id,
					sum(amount_micro) FILTER (WHERE debit = 'escrow:' || job_id AND reason IN ('payout', 'fee', 'refund')) AS paid,
					sum(amount_micro) FILTER (WHERE credit = 'escrow:' || job_id AND reason = 'clawback') AS clawed
				FROM transfers WHERE ${inPage('job_id')} GROUP BY job_id
			) m ON m.job_id = j.id
			WHERE ${inPage('j.id')}
		) e WHERE e.balance <> e.expected`,
		(r) => `escrow of job ${r.id} holds ${r.balance}, expected budget − paid − refunded + clawed back = ${r.expected}`
	),
	paged<{ task_id: string; payouts: unknown; clawbacks: unknown; net: unknown; price: unknown }>(
		// Payout ids are per (task, worker), so nobody is paid twice for one task; a task pays at
		// most QUORUM workers net of payouts clawed back from keys caught cheating.
		'each task slot is paid at most once',
		64,
		`SELECT id AS k FROM jobs WHERE id > $1`,
		`SELECT true AS bad, t.id AS task_id, t.price_micro AS price,
			count(*) FILTER (WHERE x.reason = 'payout') AS payouts, count(*) FILTER (WHERE x.reason = 'clawback') AS clawbacks,
			coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'payout'), 0) - coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'clawback'), 0) AS net
		FROM transfers x JOIN tasks t ON t.id = x.task_id
		WHERE ${inPage('x.job_id')} AND x.reason IN ('payout', 'clawback')
			-- The same range on the tasks' (job_id, idx) index, or the join reads every task.
			AND ${inPage('t.job_id')}
		GROUP BY t.id, t.price_micro
		HAVING count(*) FILTER (WHERE x.reason = 'payout') - count(*) FILTER (WHERE x.reason = 'clawback') > ${QUORUM}
			OR coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'payout'), 0) - coalesce(sum(x.amount_micro) FILTER (WHERE x.reason = 'clawback'), 0) > ${QUORUM} * t.price_micro`,
		(r) => `task ${r.task_id} has ${r.payouts} payouts and ${r.clawbacks} clawbacks, net ${r.net} µcr (at most ${QUORUM} × ${r.price})`
	),
	paged<{ id: string; balance_micro: unknown }>(
		'stakes are never negative',
		1024,
		`SELECT id AS k FROM accounts WHERE kind IN ('stake', 'unstaking') AND id > $1`,
		`SELECT true AS bad, a.id, a.balance_micro FROM accounts a WHERE ${inPage('a.id')} AND a.kind IN ('stake', 'unstaking') AND a.balance_micro < 0`,
		(r) => `${r.id} is ${r.balance_micro}`
	),
	paged<{ id: string; balance: unknown; pending: unknown }>(
		'unstaking credits never exceed the pending unstakes',
		256,
		`SELECT id AS k FROM accounts WHERE kind = 'unstaking' AND id > $1`,
		`SELECT true AS bad, s.id, s.balance, s.pending FROM (
			SELECT a.id, a.balance_micro AS balance,
				coalesce((SELECT sum(u.amount_micro) FROM unstakes u WHERE u.key = substr(a.id, length('unstaking:') + 1) AND u.released_at IS NULL), 0) AS pending
			FROM accounts a WHERE ${inPage('a.id')} AND a.kind = 'unstaking'
		) s WHERE s.balance > s.pending`,
		(r) => `${r.id} holds ${r.balance} but only ${r.pending} is pending release`
	),
	paged<{ id: string; balance: unknown; requested: unknown }>(
		'credits locked for redemption equal the requests',
		256,
		`SELECT id AS k FROM accounts WHERE kind = 'redemption' AND id > $1`,
		`SELECT true AS bad, s.id, s.balance, s.requested FROM (
			SELECT a.id, a.balance_micro AS balance,
				coalesce((SELECT sum(r.amount_micro) FROM redemptions r WHERE r.key = substr(a.id, length('redeeming:') + 1) AND r.state = 'requested'), 0) AS requested
			FROM accounts a WHERE ${inPage('a.id')} AND a.kind = 'redemption'
		) s WHERE s.balance <> s.requested`,
		(r) => `${r.id} holds ${r.balance}, requests total ${r.requested}`
	),
	paged<{ key: string; recorded: unknown; entries: unknown }>(
		'slashed totals equal the slash entries',
		256,
		`SELECT key AS k FROM reputations WHERE key > $1`,
		`SELECT true AS bad, s.key, s.recorded, s.entries FROM (
			SELECT r.key, r.slashed_micro AS recorded,
				coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'stake:' || r.key AND t.reason = 'slash'), 0)
					+ coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'unstaking:' || r.key AND t.reason = 'slash'), 0) AS entries
			FROM reputations r WHERE ${inPage('r.key')}
		) s WHERE s.recorded <> s.entries`,
		(r) => `key ${r.key} records ${r.recorded} slashed, entries say ${r.entries}`
	),
	paged<{ id: string; why: string }>(
		// ledger/funding.ts: a starter holding is paid into by its grant and by work that starter
		// credits funded, and pays out only into the escrow of work (or back, on a clawback); each
		// escrow pays, refunds and claws back in the kind of holding that funded it.
		'starter credits only ever pay for work',
		256,
		`SELECT id AS k FROM transfers WHERE id > $1`,
		// Jobs and sessions looked up per transfer (LIMIT 1 keeps each a primary-key probe): a join
		// hashed every job once per page.
		`SELECT true AS bad, t.id, w.why FROM transfers t
		LEFT JOIN LATERAL (SELECT id, funding FROM jobs WHERE id = t.job_id LIMIT 1) j ON true
		LEFT JOIN LATERAL (
			SELECT id, funding FROM train_sessions
			WHERE id = CASE WHEN t.debit LIKE 'train-escrow:%' THEN substr(t.debit, 14) WHEN t.credit LIKE 'train-escrow:%' THEN substr(t.credit, 14) END LIMIT 1
		) s ON true
		CROSS JOIN LATERAL (VALUES
			(CASE WHEN t.debit LIKE 'starter:%' AND t.reason NOT IN ('escrow', 'train-escrow', 'clawback') THEN 'leaves a starter holding as ' || t.reason END),
			(CASE WHEN t.credit LIKE 'starter:%' AND t.reason NOT IN ('grant', 'payout', 'refund', 'clawback', 'train-payout', 'train-refund') THEN 'enters a starter holding as ' || t.reason END),
			(CASE WHEN j.id IS NOT NULL AND ((t.reason = 'escrow' AND (j.funding = 'starter') <> (t.debit LIKE 'starter:%'))
					OR (t.reason IN ('payout', 'refund') AND (j.funding = 'starter') <> (t.credit LIKE 'starter:%'))
					OR (t.reason = 'clawback' AND (j.funding = 'starter') <> (t.debit LIKE 'starter:%')))
				THEN 'moves ' || t.reason || ' for a job funded from ' || j.funding || ' through the other holding' END),
			(CASE WHEN s.id IS NOT NULL AND ((t.reason = 'train-escrow' AND (s.funding = 'starter') <> (t.debit LIKE 'starter:%'))
					OR (t.reason IN ('train-payout', 'train-refund') AND (s.funding = 'starter') <> (t.credit LIKE 'starter:%')))
				THEN 'moves ' || t.reason || ' for a session funded from ' || s.funding || ' through the other holding' END)
		) AS w (why)
		WHERE ${inPage('t.id')} AND w.why IS NOT NULL`,
		(r) => `transfer ${r.id} ${r.why}`
	),
	paged<{ id: string; balance: unknown }>(
		'finished jobs hold no escrow',
		256,
		`SELECT id AS k FROM jobs WHERE state <> 'running' AND id > $1`,
		`SELECT true AS bad, j.id, a.balance_micro AS balance FROM jobs j JOIN accounts a ON a.id = 'escrow:' || j.id WHERE ${inPage('j.id')} AND j.state <> 'running' AND a.balance_micro <> 0`,
		(r) => `finished job ${r.id} still holds ${r.balance} in escrow`
	),
	paged<{ id: string; problem: string }>(
		'each training escrow equals budget − paid − refunded, and receipts match the payouts',
		64,
		`SELECT id AS k FROM train_sessions WHERE mode = 'funded' AND id > $1`,
		`SELECT true AS bad, s.id, p.problem FROM (
			SELECT s.id, s.state, s.budget_micro AS budget, coalesce(a.balance_micro, 0) AS balance,
				coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'train-escrow:' || s.id AND t.reason = 'train-payout'), 0) AS paid,
				coalesce((SELECT sum(amount_micro) FROM transfers t WHERE t.debit = 'train-escrow:' || s.id AND t.reason = 'train-refund'), 0) AS refunded,
				coalesce((SELECT sum(amount_micro) FROM train_receipts r WHERE r.session_id = s.id), 0) AS receipts
			FROM train_sessions s LEFT JOIN accounts a ON a.id = 'train-escrow:' || s.id WHERE ${inPage('s.id')} AND s.mode = 'funded'
		) s CROSS JOIN LATERAL (VALUES
			(CASE WHEN s.balance <> s.budget - s.paid - s.refunded THEN 'training escrow of ' || s.id || ' holds ' || s.balance || ', expected ' || (s.budget - s.paid - s.refunded) END),
			(CASE WHEN s.receipts <> s.paid THEN 'session ' || s.id || ': receipts say ' || s.receipts || ' paid, payouts say ' || s.paid END),
			(CASE WHEN s.state = 'ended' AND s.balance <> 0 THEN 'ended session ' || s.id || ' still holds ' || s.balance || ' in escrow' END)
		) AS p (problem) WHERE p.problem IS NOT NULL`,
		(r) => r.problem
	)
];

export interface ReconcileOptions {
	/** Runs between statements, given the last one's time: the reconciler pauses there so claims are not kept waiting. */
	between?: (lastStepMs: number) => Promise<void>;
	/** Replaces every check's largest page (tests use a tiny one to walk many pages). */
	pageRowsMax?: number;
	/** The first page of each check (default 16); with pageRowsMax, a bench's one statement per check. */
	pageRowsFirst?: number;
}

export interface Reconciled {
	results: InvariantResult[];
	/** Statements run, and the longest (ms, any wait for the database included): the most it held the database at once. */
	steps: number;
	longestStepMs: number;
}

/** Every invariant with its findings, one bounded statement at a time. */
export async function reconcile(db: Sql, opts: ReconcileOptions = {}): Promise<Reconciled> {
	const results: InvariantResult[] = [];
	let steps = 0;
	let longestStepMs = 0;
	let lastMs = 0;
	for (const check of CHECKS) {
		const problems: string[] = [];
		const most = Math.max(1, opts.pageRowsMax ?? check.pageRows ?? 1);
		let rows = Math.min(most, opts.pageRowsFirst ?? PAGE_ROWS_FIRST);
		// Pages never shrink below a size where halving stopped paying (the cost was not in the rows).
		let floor = 1;
		let halvedFrom: { rows: number; ms: number } | null = null;
		for (let after: string | null = ''; after !== null; ) {
			if (steps > 0) await opts.between?.(lastMs);
			const started = performance.now();
			const step: Step = await check.step(db, after, rows);
			const ms = performance.now() - started;
			lastMs = ms;
			longestStepMs = Math.max(longestStepMs, ms);
			steps++;
			problems.push(...step.problems);
			after = step.next;
			if (halvedFrom && ms > 0.75 * halvedFrom.ms) {
				floor = rows = halvedFrom.rows;
				halvedFrom = null;
			} else if (ms > STEP_MS_TARGET && rows > floor) {
				halvedFrom = { rows, ms };
				rows = Math.max(floor, rows >> 1);
			} else {
				halvedFrom = null;
				if (ms < STEP_MS_TARGET / 4) rows = Math.min(most, rows * 2);
			}
		}
		results.push({ name: check.name, problems });
	}
	return { results, steps, longestStepMs };
}

/** Every invariant with its findings, for the health endpoint and page. */
async function invariantReport(db: Sql, opts: ReconcileOptions = {}): Promise<InvariantResult[]> {
	return (await reconcile(db, opts)).results;
}

/**
 * Checks the ledger's invariants and returns the violations; an empty list means the books
 * balance. Used by tests after every step.
 */
export async function checkInvariants(db: Sql, opts: ReconcileOptions = {}): Promise<string[]> {
	return (await invariantReport(db, opts)).flatMap((r) => r.problems);
}

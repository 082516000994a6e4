// Large books written straight into the tables, for measuring what reading them costs (the
// reconciliation bench): funded keys, completed jobs whose tiles paid two workers and the fee,
// and refunds, as consistent double entry with a real relay's skew (most debits are escrows' and
// the mint's, the fee account has one credit per tile). Building as many through the API would
// take hours; nothing here pretends to be a relay.
import type { Sql } from '../store/db.js';

/** Writes `users` funded keys and `jobs` completed jobs of `tasksPerJob` tiles each, then vacuums. */
export async function syntheticBooks(db: Sql, users: number, jobs: number, tasksPerJob: number): Promise<void> {
	await db.query(`INSERT INTO accounts (id, kind) SELECT 'user:u' || i, 'user' FROM generate_series(1, $1::int) i`, [users]);
	await db.query(`INSERT INTO transfers (id, debit, credit, amount_micro, reason, created_at) SELECT 'grant:demo:u' || i, 'mint', 'user:u' || i, 50000000, 'grant', 0 FROM generate_series(1, $1::int) i`, [users]);
	await db.query(
		`INSERT INTO jobs (id, requester, client_ref, kernel, kernel_version, spec, state, tasks, tasks_done, budget_micro, estimate_micro, fee_bps, created_at)
		SELECT 'j' || i, 'u' || (i % $2::int + 1), 'r' || i, 'mandelbrot', 1, '{}'::jsonb, 'completed', $3::int, $3::int, 1000000, 1000000, 500, 0 FROM generate_series(1, $1::int) i`,
		[jobs, users, tasksPerJob]
	);
	await db.query(`INSERT INTO accounts (id, kind) SELECT 'escrow:j' || i, 'escrow' FROM generate_series(1, $1::int) i`, [jobs]);
	await db.query(`INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, created_at) SELECT 'escrow:j' || i, 'user:u' || (i % $2::int + 1), 'escrow:j' || i, 1000000, 'escrow', 'j' || i, 0 FROM generate_series(1, $1::int) i`, [jobs, users]);
	await db.query(
		`INSERT INTO tasks (id, job_id, idx, params, rect_x, rect_y, rect_w, rect_h, result_bytes, price_micro, state, replicas_wanted, single_worker)
		SELECT 'j' || j || ':' || t, 'j' || j, t, '{}'::jsonb, 0, 0, 64, 64, 16384, 40, 'accepted', 2, NULL FROM generate_series(1, $1::int) j, generate_series(0, $2::int - 1) t`,
		[jobs, tasksPerJob]
	);
	for (const w of [0, 1]) {
		await db.query(
			`INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, task_id, created_at)
			SELECT 'payout:j' || j || ':' || t || ':' || ${w}, 'escrow:j' || j, 'user:u' || ((j * 7 + t * 13 + ${w}) % $3::int + 1), 40, 'payout', 'j' || j, 'j' || j || ':' || t, 0
			FROM generate_series(1, $1::int) j, generate_series(0, $2::int - 1) t`,
			[jobs, tasksPerJob, users]
		);
	}
	await db.query(
		`INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, task_id, created_at)
		SELECT 'fee:j' || j || ':' || t, 'escrow:j' || j, 'fee', 4, 'fee', 'j' || j, 'j' || j || ':' || t, 0 FROM generate_series(1, $1::int) j, generate_series(0, $2::int - 1) t`,
		[jobs, tasksPerJob]
	);
	await db.query(
		`INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, created_at) SELECT 'refund:j' || i, 'escrow:j' || i, 'user:u' || (i % $2::int + 1), 1000000 - $3::int * 84, 'refund', 'j' || i, 0 FROM generate_series(1, $1::int) i`,
		[jobs, users, tasksPerJob]
	);
	await db.query(`UPDATE accounts a SET balance_micro = coalesce((SELECT sum(amount_micro) FROM transfers WHERE credit = a.id), 0) - coalesce((SELECT sum(amount_micro) FROM transfers WHERE debit = a.id), 0)`);
	await db.query('VACUUM ANALYZE');
}

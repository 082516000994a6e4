// `npm run bench -- reconcile [--users N] [--jobs N] [--tasks N]`: the background reconciliation
// on large books (PGlite on disk): the longest statement it runs (the longest it holds PGlite's
// exclusive lock, so the longest a claim can wait behind it) and its total time, against the
// same checks run as one statement each, as health did on every request before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcile } from '../relay/ledger/invariants.js';
import { openDb } from '../relay/store/open-db.js';
import { syntheticBooks } from '../relay/testing/synthetic-books.js';
import { report } from './report.js';

const arg = (args: string[], name: string, fallback: number) => {
	const i = args.indexOf(`--${name}`);
	const n = i >= 0 ? Number(args[i + 1]) : fallback;
	if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
	return n;
};

export async function main(args: string[]): Promise<void> {
	const users = arg(args, 'users', 20_000);
	const jobs = arg(args, 'jobs', 2_000);
	const tasks = arg(args, 'tasks', 25);
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-bench-reconcile-'));
	const db = await openDb({ databaseUrl: null, dataDir });
	try {
		await syntheticBooks(db, users, jobs, tasks);
		const [size] = await db.query<{ transfers: number; accounts: number }>('SELECT (SELECT count(*)::int FROM transfers) AS transfers, (SELECT count(*)::int FROM accounts) AS accounts');
		console.error(`books: ${size?.accounts} accounts, ${size?.transfers} transfers`);
		const timed = async (opts: Parameters<typeof reconcile>[1]) => {
			const started = performance.now();
			const r = await reconcile(db, opts);
			if (r.results.some((x) => x.problems.length > 0)) throw new Error('the synthetic books do not balance');
			return { ...r, totalMs: performance.now() - started };
		};
		await timed({}); // warm the statement cache and the page sizes' plans
		const whole = await timed({ pageRowsMax: 1e9, pageRowsFirst: 1e9 });
		const paged = await timed({ between: () => new Promise((r) => setImmediate(r)) }); // the reconciler also pauses: not timed here
		const baseline = (metric: string, value: number) => ({ metric, value });
		report('reconcile', 'longest-statement', paged.longestStepMs, 'ms', baseline('one-statement-per-check', whole.longestStepMs));
		report('reconcile', 'total', paged.totalMs, 'ms', baseline('one-statement-per-check', whole.totalMs));
		report('reconcile', 'statements', paged.steps, 'count', baseline('one-statement-per-check', whole.steps));
	} finally {
		await db.close();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

import { PGlite } from '@electric-sql/pglite';
import type { Db, Sql } from './db.js';
import { PgliteStatements } from './pglite-statements.js';

/**
 * Embedded Postgres (WASM) in a data folder: the zero-setup default. One process per folder.
 * PGlite runs one statement at a time; every query and every transaction here holds its
 * exclusive lock, so transactions are serialised and nothing interleaves with one. Statements
 * run as cached prepared statements (see pglite-statements.ts).
 */
export async function openPglite(dataDir: string | null): Promise<Db> {
	const pg = dataDir ? new PGlite(dataDir) : new PGlite();
	await pg.waitReady;
	// Plan each prepared statement once. Postgres re-plans them after ANALYZE or DDL on their tables.
	await pg.query('SET plan_cache_mode = force_generic_plan');
	const statements = new PgliteStatements(pg);
	return {
		kind: 'pglite',
		query: <Row>(text: string, params: readonly unknown[] = []) => pg.runExclusive(() => statements.run<Row>(text, params, true)),
		transaction: <T>(fn: (tx: Sql) => Promise<T>) =>
			pg.runExclusive(async () => {
				// After a failed statement Postgres refuses everything but ROLLBACK, and a COMMIT would
				// quietly roll back: remember the failure so it can never pass as success.
				let failed: unknown = null;
				const tx: Sql = {
					query: <Row>(text: string, params: readonly unknown[] = []) =>
						statements.run<Row>(text, params, false).catch((err: unknown) => {
							failed ??= err;
							throw err;
						})
				};
				await statements.run('BEGIN', [], false);
				let result: T;
				try {
					result = await fn(tx);
					if (failed) throw failed;
				} catch (err) {
					await statements.run('ROLLBACK', [], false);
					throw err;
				}
				await statements.run('COMMIT', [], true);
				return result;
			}),
		close: async () => {
			await pg.runExclusive(() => statements.clear());
			await pg.close();
		}
	};
}

import { PGlite } from '@electric-sql/pglite';
import type { Db, Sql } from './db.js';

/**
 * Embedded Postgres (WASM) in a data folder: the zero-setup default. One process per folder;
 * PGlite runs one statement at a time, so transactions are naturally serialised.
 */
export async function openPglite(dataDir: string | null): Promise<Db> {
	const pg = dataDir ? new PGlite(dataDir) : new PGlite();
	await pg.waitReady;
	const wrap = (q: Pick<PGlite, 'query'>): Sql => ({
		async query<Row>(text: string, params: readonly unknown[] = []) {
			const res = await q.query<Row>(text, params as unknown[]);
			return res.rows;
		}
	});
	return {
		kind: 'pglite',
		...wrap(pg),
		transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
		close: () => pg.close()
	};
}

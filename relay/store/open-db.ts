import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-db.js';
import { openPostgres } from './postgres-db.js';

/** `DATABASE_URL` selects Postgres; otherwise PGlite in `<dataDir>/pglite` (or in memory when null). */
export async function openDb(opts: { databaseUrl: string | null; dataDir: string | null }): Promise<Db> {
	// PGlite creates its own folder but not missing parents: a fresh clone has no ./data yet.
	if (!opts.databaseUrl && opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
	const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir ? join(opts.dataDir, 'pglite') : null);
	await migrate(db);
	return db;
}

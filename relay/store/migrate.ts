import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { int } from './db.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies `migrations/NNN_name.sql` in order, each in its own transaction, exactly once. */
export async function migrate(db: Db): Promise<string[]> {
	await db.query(
		`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`
	);
	const done = new Set((await db.query<{ version: unknown }>('SELECT version FROM schema_migrations')).map((r) => int(r.version)));
	const applied: string[] = [];
	const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'));
	// A misnamed migration would otherwise be skipped without a word.
	const misnamed = files.filter((f) => !/^\d{3}_[a-z0-9-]+\.sql$/.test(f));
	if (misnamed.length > 0) throw new Error(`migrations must be named NNN_kebab-name.sql: ${misnamed.join(', ')}`);
	for (const file of files.sort()) {
		const version = Number(file.slice(0, 3));
		if (done.has(version)) continue;
		const text = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
		await db.transaction(async (tx) => {
			for (const statement of splitStatements(text)) await tx.query(statement);
			await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [version, file, Date.now()]);
		});
		applied.push(file);
	}
	return applied;
}

/** Migrations hold plain DDL separated by semicolons at line ends (no functions with bodies). */
function splitStatements(text: string): string[] {
	return text
		.split(/;\s*$/m)
		.map((s) => s.replace(/^\s*--.*$/gm, '').trim())
		.filter((s) => s.length > 0);
}

// What a fuzz run measures outside the HTTP answers: the relay's resident memory, the rows in
// every table once it has stopped, and the files in its blob folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../relay/store/open-db.js';
import { tableCounts } from '../../relay/testing/table-counts.js';

/** Resident memory of a process in MB (Linux /proc), or null where it cannot be read. */
export function rssMb(pid: number | undefined): number | null {
	if (pid === undefined) return null;
	try {
		const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
	} catch {
		return null;
	}
}

/**
 * Tables whose rows a refused request may legitimately add: bookkeeping of who asked (rate
 * limits, replay nonces) and reports the relay writes on a schedule. Matched by name, so a table
 * added later falls under the check unless it is such bookkeeping.
 */
const BOOKKEEPING_TABLES = /nonce|rate|limit|bucket|health|report|schema_migrations/;

/** Row counts per table of a stopped relay's database (never open a PGlite folder while its relay runs). */
export async function rowCounts(storage: { dataDir: string; databaseUrl: string | null }): Promise<Record<string, number>> {
	const db = await openDb({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
	try {
		const counts = await tableCounts(db);
		return Object.fromEntries(Object.entries(counts).filter(([table]) => !BOOKKEEPING_TABLES.test(table)));
	} finally {
		await db.close();
	}
}

/** Files under the blob folder (a crash's temporary files included). */
export function blobFiles(dataDir: string): number {
	try {
		return readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
	} catch {
		return 0;
	}
}

/** Tables whose counts differ between two runs, with both counts. */
export function differences(a: Record<string, number>, b: Record<string, number>): Record<string, [number, number]> {
	const out: Record<string, [number, number]> = {};
	for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) if ((a[table] ?? 0) !== (b[table] ?? 0)) out[table] = [a[table] ?? 0, b[table] ?? 0];
	return out;
}

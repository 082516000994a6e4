import type { TrustedKey } from '../../src/lib/protocol/verification.js';
import { int, type Sql } from '../store/db.js';

/** Operator-marked trusted referees, newest first. */
export async function listTrustedKeys(db: Sql): Promise<TrustedKey[]> {
	const rows = await db.query<{ key: string; note: string; added_at: unknown }>('SELECT key, note, added_at FROM trusted_keys ORDER BY added_at DESC, key');
	return rows.map((r) => ({ key: r.key, note: r.note, addedAt: int(r.added_at) }));
}

/** Marks (idempotent; the first note and time stay) or unmarks a key. */
export async function setTrusted(db: Sql, key: string, trusted: boolean, note: string, now: number): Promise<void> {
	if (trusted) await db.query('INSERT INTO trusted_keys (key, note, added_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [key, note, now]);
	else await db.query('DELETE FROM trusted_keys WHERE key = $1', [key]);
}

export async function isTrusted(db: Sql, key: string): Promise<boolean> {
	const rows = await db.query('SELECT 1 FROM trusted_keys WHERE key = $1', [key]);
	return rows.length > 0;
}

import type { Sql } from '../store/db.js';

/**
 * Rows in every table of the relay's schema, by name (new tables are counted without a change
 * here), plus the sum of all balances: equal counts before and after a refused request mean it
 * wrote nothing. Wider than dbSnapshot, which covers only the work and money tables.
 */
export async function tableCounts(db: Sql): Promise<Record<string, number>> {
	const tables = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`);
	if (tables.length === 0) return {};
	// Names come from the catalog, not from input; quoted all the same.
	const counts = tables.map((t) => `(SELECT count(*) FROM "${t.name.replaceAll('"', '""')}") AS "${t.name.replaceAll('"', '""')}"`);
	const [row] = await db.query<Record<string, unknown>>(`SELECT ${counts.join(', ')}, (SELECT coalesce(sum(abs(balance_micro)), 0) FROM accounts) AS "balance_micro_sum"`);
	return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

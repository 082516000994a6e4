import postgres from 'postgres';
import { pgCode, PG, type Db, type Sql } from './db.js';

const RETRIES_MAX = 8;

/**
 * Real Postgres via postgres.js. Transactions are SERIALIZABLE so no balance decision is made
 * from a stale read; serialization failures and deadlocks are retried with jittered backoff.
 */
export async function openPostgres(url: string): Promise<Db> {
	const sql = postgres(url, { max: 10, onnotice: () => {}, types: { bigint: postgres.BigInt } });
	await sql`select 1`;
	const wrap = (q: postgres.Sql | postgres.TransactionSql): Sql => ({
		async query<Row>(text: string, params: readonly unknown[] = []) {
			const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
			return rows as unknown as Row[];
		}
	});
	return {
		kind: 'postgres',
		...wrap(sql),
		async transaction(fn) {
			for (let attempt = 1; ; attempt++) {
				try {
					return (await sql.begin('isolation level serializable', (tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>;
				} catch (err) {
					const code = pgCode(err);
					const retryable = code === PG.serializationFailure || code === PG.deadlockDetected;
					if (!retryable || attempt >= RETRIES_MAX) throw err;
					await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** attempt));
				}
			}
		},
		close: () => sql.end({ timeout: 5 })
	};
}

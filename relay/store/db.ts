/** The one storage interface the relay uses: the same SQL runs on PGlite and on Postgres. */
export interface Sql {
	query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Db extends Sql {
	readonly kind: 'pglite' | 'postgres';
	/** Runs `fn` in one transaction (serializable on Postgres, retried on serialization failures). */
	transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** Postgres error codes the relay maps to client errors. */
export const PG = {
	uniqueViolation: '23505',
	checkViolation: '23514',
	serializationFailure: '40001',
	deadlockDetected: '40P01'
} as const;

export function pgCode(err: unknown): string | undefined {
	if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
	return undefined;
}

/** int8 columns arrive as number (PGlite), string (postgres.js) or bigint; money must stay exact. */
export function int(value: unknown): number {
	const n = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'string' ? Number(value) : NaN;
	if (!Number.isSafeInteger(n)) throw new Error(`expected a safe integer from the database, got ${String(value)}`);
	return n;
}

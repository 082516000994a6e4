// The PGlite adapter's prepared-statement path must return exactly what PGlite's own query()
// returns, keep its error codes, stay bounded, survive schema changes and keep transactions
// all-or-nothing.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import { pgCode } from './db.js';
import { openPglite } from './pglite-db.js';
import { PgliteStatements } from './pglite-statements.js';

let db: Db;
beforeAll(async () => {
	db = await openPglite(null);
	await db.query(`CREATE TABLE t (id text PRIMARY KEY, n bigint, tags text[], doc jsonb, raw bytea, ok boolean, x double precision)`);
});
afterAll(async () => {
	await db.close();
});

describe('PGlite prepared statements', () => {
	it('return the same rows and types as PGlite.query', async () => {
		const pg = new PGlite();
		try {
			const ddl = `CREATE TABLE t (id text PRIMARY KEY, n bigint, tags text[], doc jsonb, raw bytea, ok boolean, x double precision)`;
			await pg.query(ddl);
			const insert = 'INSERT INTO t (id, n, tags, doc, raw, ok, x) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *';
			const rows: unknown[][] = [
				['a', 9_007_199_254_740_991, ['x', 'y, z', 'quote"d'], { k: [1, 'two', null] }, new Uint8Array([0, 1, 255]), true, 0.1],
				['b', null, [], null, null, false, -2.5],
				["c'", -5, null, [], new Uint8Array(0), null, null]
			];
			for (const r of rows) {
				const mine = await db.query(insert, r);
				const theirs = (await pg.query(insert, r)).rows;
				expect(mine).toEqual(theirs);
			}
			const select = 'SELECT id, n, tags, doc, raw, ok, x, n * 2 AS twice, tags[1] AS first FROM t WHERE id = ANY($1::text[]) ORDER BY id';
			expect(await db.query(select, [['a', 'b', "c'"]])).toEqual((await pg.query(select, [['a', 'b', "c'"]])).rows);
			expect(await db.query('SELECT count(*) AS c FROM t')).toEqual((await pg.query('SELECT count(*) AS c FROM t')).rows);
		} finally {
			await pg.close();
		}
	});

	it('keeps Postgres error codes and stays usable after an error', async () => {
		const err = await db.query('INSERT INTO t (id) VALUES ($1)', ['a']).catch((e: unknown) => e);
		expect(pgCode(err)).toBe('23505');
		expect(await db.query<{ v: number }>('SELECT $1::int + 1 AS v', [41])).toEqual([{ v: 42 }]);
		const div = await db.query('SELECT 1 / $1::int AS v', [0]).catch((e: unknown) => e);
		expect(pgCode(div)).toBe('22012');
		await expect(db.query('SELECT $1::int AS v', [1, 2])).rejects.toThrow(/takes 1 parameters, got 2/);
	});

	it('re-prepares a statement whose result type changed under it', async () => {
		await db.query('CREATE TABLE shape (id int PRIMARY KEY)');
		await db.query('INSERT INTO shape VALUES (1)');
		const q = 'SELECT * FROM shape WHERE id = $1';
		expect(await db.query(q, [1])).toEqual([{ id: 1 }]);
		await db.query('ALTER TABLE shape ADD COLUMN label text');
		expect(await db.query(q, [1])).toEqual([{ id: 1, label: null }]);
	});

	it('keeps at most `max` named statements, closing the least recently used', async () => {
		const pg = new PGlite();
		try {
			await pg.waitReady;
			const statements = new PgliteStatements(pg, 3);
			const run = (text: string, v: number) => pg.runExclusive(() => statements.run<{ v: number }>(text, [v], false));
			for (let i = 0; i < 10; i++) expect(await run(`SELECT $1::int + ${i} AS v`, 1)).toEqual([{ v: 1 + i }]);
			const [{ n }] = (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows as [{ n: number }];
			expect(n).toBe(3);
			// Evicted texts are prepared again on use.
			expect(await run('SELECT $1::int + 0 AS v', 5)).toEqual([{ v: 5 }]);
		} finally {
			await pg.close();
		}
	});
});

describe('PGlite transactions', () => {
	it('commit everything or nothing', async () => {
		await db.transaction(async (tx) => {
			await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['tx-1', 1]);
			await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['tx-2', 2]);
		});
		await expect(
			db.transaction(async (tx) => {
				await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['tx-3', 3]);
				throw new Error('changed my mind');
			})
		).rejects.toThrow('changed my mind');
		const ids = (await db.query<{ id: string }>(`SELECT id FROM t WHERE id LIKE 'tx-%' ORDER BY id`)).map((r) => r.id);
		expect(ids).toEqual(['tx-1', 'tx-2']);
	});

	it('never report success for a transaction a failed statement aborted, even if the error was swallowed', async () => {
		await expect(
			db.transaction(async (tx) => {
				await tx.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['tx-4', 4]);
				await tx.query('INSERT INTO t (id) VALUES ($1)', ['tx-1']).catch(() => {});
				return 'done';
			})
		).rejects.toMatchObject({ code: '23505' });
		expect(await db.query(`SELECT id FROM t WHERE id = $1`, ['tx-4'])).toEqual([]);
	});

	it('serialise with queries outside them: nothing interleaves with an open transaction', async () => {
		const order: string[] = [];
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const tx = db.transaction(async (t) => {
			await t.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['tx-5', 5]);
			order.push('tx wrote');
			await gate;
			order.push('tx commits');
		});
		await new Promise((r) => setTimeout(r, 20));
		const outside = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE id = $1`, ['tx-5']).then((rows) => {
			order.push(`outside saw ${rows[0]?.n}`);
		});
		await new Promise((r) => setTimeout(r, 50));
		release();
		await Promise.all([tx, outside]);
		expect(order).toEqual(['tx wrote', 'tx commits', 'outside saw 1']);
	});
});

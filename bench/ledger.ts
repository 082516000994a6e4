// `npm run bench -- ledger`: settlements per second through the ledger (two payouts and a fee
// per accepted task, as the relay settles them), one transaction per settlement against batches
// of SETTLE_BATCH_MAX in one transaction, on PGlite (on disk) and on Postgres in the same run.
// Postgres: BENCH_DATABASE_URL, else TEST_POSTGRES_URL, else a local server if one answers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ensureAccount, transferMany, type Transfer } from '../relay/ledger/transfer.js';
import { checkInvariants } from '../relay/ledger/invariants.js';
import type { Db } from '../relay/store/db.js';
import { openDb } from '../relay/store/open-db.js';
import { SETTLE_BATCH_MAX } from '../relay/tasks/submission-batcher.js';
import { report } from './report.js';

const SETTLEMENTS = 3_000;
const WORKERS = 64;
const PRICE_MICRO = 1_000;
const FEE_MICRO = 100;

function settlement(jobId: string, i: number): Transfer[] {
	const taskId = `${jobId}:${i}`;
	const a = `user:w${i % WORKERS}`;
	const b = `user:w${(i + 1) % WORKERS}`;
	const escrow = `escrow:${jobId}`;
	return [
		{ id: `payout:${taskId}:${a}`, debit: escrow, credit: a, amountMicro: PRICE_MICRO, reason: 'payout', jobId, taskId },
		{ id: `payout:${taskId}:${b}`, debit: escrow, credit: b, amountMicro: PRICE_MICRO, reason: 'payout', jobId, taskId },
		{ id: `fee:${taskId}`, debit: escrow, credit: 'fee', amountMicro: FEE_MICRO, reason: 'fee', jobId, taskId }
	];
}

async function fundJob(db: Db, jobId: string): Promise<void> {
	await db.transaction(async (tx) => {
		for (let w = 0; w < WORKERS; w++) await ensureAccount(tx, `user:w${w}`, 'user');
		await ensureAccount(tx, `escrow:${jobId}`, 'escrow');
		const amountMicro = SETTLEMENTS * (2 * PRICE_MICRO + FEE_MICRO);
		await transferMany(tx, [{ id: `escrow:${jobId}`, debit: 'mint', credit: `escrow:${jobId}`, amountMicro, reason: 'escrow', jobId }], 0);
	});
}

/** Settlements per second, `batch` settlements to a transaction. */
async function measure(db: Db, batch: number): Promise<number> {
	const jobId = `bench-${batch}-${randomBytes(4).toString('hex')}`;
	await fundJob(db, jobId);
	const started = performance.now();
	for (let i = 0; i < SETTLEMENTS; i += batch) {
		const transfers: Transfer[] = [];
		for (let k = i; k < Math.min(i + batch, SETTLEMENTS); k++) transfers.push(...settlement(jobId, k));
		await db.transaction((tx) => transferMany(tx, transfers, Date.now()));
	}
	return SETTLEMENTS / ((performance.now() - started) / 1000);
}

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** Runs `fn` against a scratch database on the Postgres server, dropped afterwards. */
async function withScratchPostgres(fn: (url: string) => Promise<void>): Promise<void> {
	const admin = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
	const name = `mycelia_bench_${randomBytes(4).toString('hex')}`;
	try {
		try {
			await admin.unsafe(`CREATE DATABASE ${name}`);
		} catch (err) {
			console.error(`no Postgres for the bench (${(err as Error).message}); set BENCH_DATABASE_URL`);
			return;
		}
		const u = new URL(ADMIN_URL);
		u.pathname = `/${name}`;
		try {
			await fn(u.toString());
		} finally {
			await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
		}
	} finally {
		await admin.end();
	}
}

async function run(name: string, db: Db): Promise<void> {
	try {
		const perRow = await measure(db, 1);
		const batched = await measure(db, SETTLE_BATCH_MAX);
		const problems = await checkInvariants(db);
		if (problems.length > 0) throw new Error(`invariants broken after the ${name} bench: ${problems.join('; ')}`);
		report('ledger', `settlements_per_s_per_row_commit_${name}`, perRow, 'settlements/s');
		report('ledger', `settlements_per_s_batched_${SETTLE_BATCH_MAX}_${name}`, batched, 'settlements/s', {
			metric: `settlements_per_s_per_row_commit_${name}`,
			value: perRow
		});
	} finally {
		await db.close();
	}
}

export async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'mycelia-ledger-bench-'));
	try {
		await run('pglite', await openDb({ databaseUrl: null, dataDir: dir }));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	await withScratchPostgres(async (url) => run('postgres', await openDb({ databaseUrl: url, dataDir: null })));
}

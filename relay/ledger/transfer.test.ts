import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../store/open-db.js';
import type { Db } from '../store/db.js';
import { checkInvariants } from './invariants.js';
import { balanceOf, ensureAccount, InsufficientFunds, transfer, TransferConflict, transferMany } from './transfer.js';

let db: Db;
beforeAll(async () => {
	db = await openDb({ databaseUrl: null, dataDir: null });
	await db.transaction(async (tx) => {
		await ensureAccount(tx, 'user:a', 'user');
		await ensureAccount(tx, 'user:b', 'user');
	});
});
afterAll(async () => {
	await db?.close();
});

const grant = (id: string, to: string, amountMicro: number) =>
	db.transaction((tx) => transfer(tx, { id, debit: 'mint', credit: to, amountMicro, reason: 'grant' }, 1));

describe('transfers', () => {
	it('applies a transfer once; the same id again is a no-op', async () => {
		expect(await grant('g1', 'user:a', 1000)).toEqual({ applied: true });
		expect(await grant('g1', 'user:a', 1000)).toEqual({ applied: false });
		expect(await balanceOf(db, 'user:a')).toBe(1000);
	});

	it('refuses the same id with different content', async () => {
		await expect(grant('g1', 'user:a', 999)).rejects.toBeInstanceOf(TransferConflict);
		await expect(grant('g1', 'user:b', 1000)).rejects.toBeInstanceOf(TransferConflict);
	});

	it('never lets an account other than the mint go negative, and rolls the whole batch back', async () => {
		const move = (amountMicro: number) =>
			db.transaction((tx) =>
				transferMany(
					tx,
					[
						{ id: `ok-${amountMicro}`, debit: 'user:a', credit: 'user:b', amountMicro: 1, reason: 'grant' },
						{ id: `big-${amountMicro}`, debit: 'user:a', credit: 'user:b', amountMicro, reason: 'grant' }
					],
					1
				)
			);
		await expect(move(1_000_000)).rejects.toBeInstanceOf(InsufficientFunds);
		expect(await balanceOf(db, 'user:a')).toBe(1000);
		expect(await balanceOf(db, 'user:b')).toBe(0);
	});

	it('refuses payouts that name no task', async () => {
		await expect(db.transaction((tx) => transfer(tx, { id: 'p-orphan', debit: 'user:a', credit: 'user:b', amountMicro: 1, reason: 'payout', jobId: 'j' }, 1))).rejects.toThrow(
			/check constraint/
		);
	});

	it('refuses zero, negative, fractional and overflowing amounts, and unknown accounts', async () => {
		for (const amountMicro of [0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.NaN]) {
			await expect(grant(`bad-${amountMicro}`, 'user:a', amountMicro)).rejects.toThrow(RangeError);
		}
		await expect(grant('ghost', 'user:nobody', 5)).rejects.toThrow(/foreign key|missing/);
		expect(await checkInvariants(db)).toEqual([]);
	});

	it('keeps the books balanced under any sequence of transfers and retries', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(
					fc.record({ from: fc.constantFrom('mint', 'user:a', 'user:b'), to: fc.constantFrom('user:a', 'user:b'), amount: fc.integer({ min: 1, max: 2000 }), id: fc.integer({ min: 0, max: 40 }) }),
					{ maxLength: 30 }
				),
				async (ops) => {
					for (const op of ops) {
						if (op.from === op.to) continue;
						await db
							.transaction((tx) => transfer(tx, { id: `p-${op.id}-${op.from}-${op.to}-${op.amount}`, debit: op.from, credit: op.to, amountMicro: op.amount, reason: 'grant' }, 1))
							.catch((err: unknown) => {
								if (!(err instanceof InsufficientFunds)) throw err;
							});
					}
					expect(await checkInvariants(db)).toEqual([]);
				}
			),
			{ numRuns: 25 }
		);
	});
});

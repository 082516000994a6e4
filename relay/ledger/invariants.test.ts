// The reconciliation walks every table in short pages: with one row per statement it must find
// exactly what one big page finds, on real books built through the API, and yield between steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { buildHistory } from '../testing/ledger-history.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { reconcile } from './invariants.js';

const operator = new NodeSigner();
let relay: Relay;
let staker: ApiClient;
beforeAll(async () => {
	relay = await startTestRelay({ pairingWaitMs: 0, operatorKey: operator.publicKeyHex });
	await buildHistory(relay.url, { jobs: 1, fundedKeys: 5 });
	staker = new ApiClient(relay.url, new NodeSigner());
	// Starter credits are for work only: the stake is bought (minted) credits.
	expect((await new ApiClient(relay.url, operator).post('/mint', { to: staker.key, amountMicro: 2_000_000, ref: 'history-stake-fund' })).status).toBe(200);
	expect((await staker.post('/stakes', { amountMicro: 1_000_000, ref: 'history-stake-1' })).status).toBe(200);
	expect((await staker.post('/unstakes', { amountMicro: 400_000, ref: 'history-unstake-1' })).status).toBe(200);
});
afterAll(async () => {
	await relay?.close();
});

const problems = (r: Awaited<ReturnType<typeof reconcile>>) => r.results.flatMap((x) => x.problems.map((p) => `${x.name}: ${p}`)).sort();

describe('reconciliation in pages', () => {
	it('finds nothing on balanced books, one row per statement or many', async () => {
		let pauses = 0;
		const small = await reconcile(relay.ctx.db, { pageRowsMax: 1, between: async () => void pauses++ });
		const big = await reconcile(relay.ctx.db);
		expect(problems(small)).toEqual([]);
		expect(problems(big)).toEqual([]);
		const [accounts] = await relay.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
		// Every account was its own statement in at least the entries check, with a pause before each.
		expect(small.steps).toBeGreaterThan(accounts!.n);
		expect(pauses).toBe(small.steps - 1);
		expect(big.steps).toBeLessThan(small.steps);
	});

	it('finds each kind of drift on whatever page it lies', async () => {
		const db = relay.ctx.db;
		const [job] = await db.query<{ id: string }>(`SELECT id FROM jobs WHERE state = 'completed' ORDER BY id DESC LIMIT 1`);
		const [payout] = await db.query<{ id: string; task_id: string; credit: string; amount_micro: number }>(
			`SELECT id, task_id, credit, amount_micro::int AS amount_micro FROM transfers WHERE reason = 'payout' AND job_id = $1 LIMIT 1`,
			[job!.id]
		);
		const user = `user:${staker.key}`;
		// Behind the ledger's back: a balance no entry explains, credits left in a finished job's
		// escrow, a third payout for one task, and a stake drifting from its unstake request.
		await db.query(`UPDATE accounts SET balance_micro = balance_micro + 5 WHERE id = $1`, [user]);
		await db.query(`UPDATE accounts SET balance_micro = balance_micro + 3 WHERE id = $1`, [`escrow:${job!.id}`]);
		await db.query(`INSERT INTO transfers (id, debit, credit, amount_micro, reason, job_id, task_id, created_at) VALUES ($1, 'mint', $2, $3, 'payout', $4, $5, 0), ($6, 'mint', $2, $3, 'payout', $4, $5, 0)`, [
			'forged-1', payout!.credit, payout!.amount_micro, job!.id, payout!.task_id, 'forged-2'
		]);
		await db.query(`UPDATE accounts SET balance_micro = balance_micro + 1 WHERE id = $1`, [`unstaking:${staker.key}`]);
		try {
			const small = problems(await reconcile(db, { pageRowsMax: 1 }));
			const big = problems(await reconcile(db));
			expect(small).toEqual(big);
			const text = small.join('\n');
			expect(text).toContain(`every balance equals its entries: account ${user} balance`);
			expect(text).toContain(`finished jobs hold no escrow: finished job ${job!.id} still holds 3`);
			expect(text).toContain(`each task slot is paid at most once: task ${payout!.task_id} has `);
			expect(text).toContain(`unstaking credits never exceed the pending unstakes: unstaking:${staker.key} holds 400001`);
			expect(text).toMatch(/balances sum to zero: balances sum to 9, not 0/);
		} finally {
			await db.query(`DELETE FROM transfers WHERE id IN ('forged-1', 'forged-2')`);
			await db.query(`UPDATE accounts SET balance_micro = balance_micro - 5 WHERE id = $1`, [user]);
			await db.query(`UPDATE accounts SET balance_micro = balance_micro - 3 WHERE id = $1`, [`escrow:${job!.id}`]);
			await db.query(`UPDATE accounts SET balance_micro = balance_micro - 1 WHERE id = $1`, [`unstaking:${staker.key}`]);
		}
		expect(problems(await reconcile(db, { pageRowsMax: 1 }))).toEqual([]);
	});
});

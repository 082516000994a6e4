// Staking, unstaking with a delay, slashing while unstaking, and redemption intents through the
// real HTTP API (and the ledger functions where a slash needs a cheater).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holdings } from '../../src/lib/protocol/stakes.js';
import type { LedgerPage } from '../../src/lib/protocol/ledger.js';
import { checkInvariants } from '../ledger/invariants.js';
import { releaseDueUnstakes, slash } from '../ledger/stakes.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const GRANT = 50_000_000;
const DELAY_MS = 400;
/** Only bought or earned credits can be staked or redeemed: the operator mints them here. */
const operator = new NodeSigner();

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay({ unstakeDelayMs: DELAY_MS, operatorKey: operator.publicKeyHex });
});
afterAll(async () => {
	await relay?.close();
});

let mints = 0;
async function funded(): Promise<ApiClient> {
	const c = new ApiClient(relay.url, new NodeSigner());
	expect((await new ApiClient(relay.url, operator).post('/mint', { to: c.key, amountMicro: GRANT, ref: `stakes-test-${mints++}` })).status).toBe(200);
	return c;
}
const holdings = async (c: ApiClient) => (await c.get<Holdings>(`/accounts/${c.key}/holdings`)).body;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stakes', () => {
	it('stakes idempotently per ref and refuses overdrafts and reused refs', async () => {
		const c = await funded();
		const over = await c.post<{ error: { code: string } }>('/stakes', { amountMicro: GRANT + 1, ref: 'stake-too-much' });
		expect(over.status).toBe(402);
		expect(over.body.error.code).toBe('insufficient_funds');
		const first = await c.post<Holdings>('/stakes', { amountMicro: 7_000_000, ref: 'stake-once-01' });
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ balanceMicro: GRANT - 7_000_000, stakeMicro: 7_000_000 });
		// The same request again (a retry) changes nothing; the same ref for another amount is refused.
		expect((await c.post<Holdings>('/stakes', { amountMicro: 7_000_000, ref: 'stake-once-01' })).body.stakeMicro).toBe(7_000_000);
		const reused = await c.post<{ error: { code: string } }>('/stakes', { amountMicro: 1, ref: 'stake-once-01' });
		expect(reused.status).toBe(409);
		expect(await holdings(c)).toMatchObject({ balanceMicro: GRANT - 7_000_000, stakeMicro: 7_000_000 });
		for (const bad of [0, -5, 1.5, 2 ** 60]) expect((await c.post('/stakes', { amountMicro: bad, ref: 'stake-bad-amount' })).status).toBe(400);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('holds unstaked credits for the delay, then returns them to the balance', async () => {
		const c = await funded();
		await c.post('/stakes', { amountMicro: 5_000_000, ref: 'stake-for-unstake' });
		expect((await c.post('/unstakes', { amountMicro: 5_000_001, ref: 'unstake-too-much' })).status).toBe(402);
		const res = await c.post<Holdings>('/unstakes', { amountMicro: 3_000_000, ref: 'unstake-part-1' });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ stakeMicro: 2_000_000, unstakingMicro: 3_000_000, balanceMicro: GRANT - 5_000_000 });
		const [pending] = res.body.unstakes;
		expect(pending?.releaseAt).toBe((pending?.requestedAt ?? 0) + DELAY_MS);
		expect(pending?.releasedAt).toBeNull();
		await sleep(DELAY_MS + 50);
		// The key's next write releases what is due (the relay also sweeps every few seconds).
		const after = await c.post<Holdings>('/stakes', { amountMicro: 1, ref: 'stake-after-delay' });
		expect(after.body).toMatchObject({ stakeMicro: 2_000_001, unstakingMicro: 0, balanceMicro: GRANT - 5_000_000 + 3_000_000 - 1 });
		expect(after.body.unstakes[0]?.releasedAt).not.toBeNull();
		const reasons = (await c.get<LedgerPage>(`/accounts/${c.key}/entries`)).body.entries.map((e) => `${e.reason}:${e.holding}:${e.amountMicro}`);
		expect(reasons).toEqual(
			expect.arrayContaining(['release:unstaking:-3000000', 'release:balance:3000000', 'unstake:stake:-3000000', 'unstake:unstaking:3000000', 'mint:balance:50000000'])
		);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('slashes from the stake, then from credits still unstaking, never more than both hold', async () => {
		const c = await funded();
		await c.post('/stakes', { amountMicro: 1_000, ref: 'stake-to-slash' });
		await c.post('/unstakes', { amountMicro: 800, ref: 'unstake-then-slashed' });
		const taken = await relay.ctx.db.transaction((tx) => slash(tx, c.key, 5_000, 'task-x', 'job-x', Date.now()));
		expect(taken).toBe(1_000);
		expect(await holdings(c)).toMatchObject({ stakeMicro: 0, unstakingMicro: 0, balanceMicro: GRANT - 1_000 });
		// The slashed unstake releases nothing, and says so.
		const released = await relay.ctx.db.transaction((tx) => releaseDueUnstakes(tx, Date.now() + DELAY_MS, c.key));
		expect(released).toBe(1);
		const [row] = await relay.ctx.db.query<{ released_micro: unknown }>('SELECT released_micro FROM unstakes WHERE key = $1', [c.key]);
		expect(Number(row?.released_micro)).toBe(0);
		expect(await holdings(c)).toMatchObject({ stakeMicro: 0, unstakingMicro: 0, balanceMicro: GRANT - 1_000 });
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('locks credits for a redemption intent, once per ref', async () => {
		const c = await funded();
		const body = { amountMicro: 2_500_000, destination: 'IBAN DE00 0000', ref: 'redeem-once-01' };
		const res = await c.post<Holdings>('/redemptions', body);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ balanceMicro: GRANT - 2_500_000, redeemingMicro: 2_500_000 });
		expect(res.body.redemptions).toHaveLength(1);
		expect((await c.post<Holdings>('/redemptions', body)).body.redemptions).toHaveLength(1);
		expect((await c.post('/redemptions', { ...body, destination: 'elsewhere' })).status).toBe(409);
		expect((await c.post('/redemptions', { ...body, amountMicro: GRANT, ref: 'redeem-too-much' })).status).toBe(402);
		expect(await holdings(c)).toMatchObject({ balanceMicro: GRANT - 2_500_000, redeemingMicro: 2_500_000 });
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('stakes and redeems nothing from starter credits, which stay spendable on work', async () => {
		const c = new ApiClient(relay.url, new NodeSigner());
		expect((await c.post('/grants/demo', {})).status).toBe(201);
		for (const [path, body] of [
			['/stakes', { amountMicro: 1, ref: 'starter-stake' }],
			['/redemptions', { amountMicro: 1, destination: 'IBAN DE00 0000', ref: 'starter-redeem' }]
		] as const) {
			const res = await c.post<{ error: { code: string; message: string } }>(path, body);
			expect(res.status, path).toBe(402);
			expect(res.body.error.message).toMatch(/starter credits.*are for jobs and training only/);
		}
		expect(await holdings(c)).toMatchObject({ balanceMicro: 0, starterMicro: GRANT, stakeMicro: 0, redeemingMicro: 0 });
		const entries = (await c.get<LedgerPage>(`/accounts/${c.key}/entries`)).body.entries.map((e) => `${e.reason}:${e.holding}:${e.amountMicro}`);
		expect(entries).toEqual([`grant:starter:${GRANT}`]);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

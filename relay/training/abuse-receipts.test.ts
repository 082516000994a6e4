// Finding 3 of issue 14 (reputation smear): a key opened a 1 µcr funded session and posted
// `{"round":1,"accepted":[],"rejected":["<victim>"]}`; the victim, which never joined, lost its
// valid streak and gained a public "rejected-delta" event, for free, and resetting every proven
// key would switch off the rule that pairs new keys with proven ones. Now a receipt may name only
// keys that signed an update for that round of that session, and a rejection counts only in a
// round that paid for accepted work, once per session, without taking a proven key below the warm-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trust } from '../../src/lib/protocol/trust.js';
import type { TrainSession } from '../../src/lib/protocol/training.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { buildHistory } from '../testing/ledger-history.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { receiptFor, updateProof } from '../testing/train-receipts.js';
import { checkInvariants } from '../ledger/invariants.js';

const WARMUP = 10;
let relay: Relay;
let victim: ApiClient;
let attacker: ApiClient;
beforeAll(async () => {
	relay = await startTestRelay({ pairingWaitMs: 0, warmupStreak: WARMUP });
	// A proven key, its streak earned on real tiles.
	victim = (await buildHistory(relay.url, { jobs: 1, fundedKeys: 0 })).workers[0]!;
	attacker = new ApiClient(relay.url, new NodeSigner());
	expect((await attacker.post('/grants/demo', {})).status).toBe(201);
}, 60_000);
afterAll(async () => {
	await relay?.close();
});

const trust = async (key: string) => (await attacker.get<Trust>(`/accounts/${key}/trust`)).body;
/** Everything a receipt could write. */
const footprint = async () =>
	(
		await relay.ctx.db.query<Record<string, unknown>>(
			`SELECT (SELECT count(*)::int FROM train_receipts) AS receipts, (SELECT count(*)::int FROM trust_events) AS events,
				(SELECT coalesce(sum(valid_streak), 0)::int FROM reputations) AS streaks, (SELECT count(*)::int FROM transfers) AS transfers`
		)
	)[0];
const cheapSession = async (title: string) => {
	const res = await attacker.post<TrainSession>('/train-sessions', { hostPeerId: `attack-${title.replace(/\W/g, '-')}`, title, mode: 'funded', budgetMicro: 1, pricePerKTokenMicro: 1_000 });
	expect(res.status).toBe(201);
	return res.body.id;
};

describe('abuse: smearing a key with training receipts', () => {
	it('refuses a receipt naming a key that never took part, and writes nothing', async () => {
		const before = await trust(victim.key);
		expect(before.validStreak).toBeGreaterThanOrEqual(WARMUP);
		const id = await cheapSession('smear one');
		const written = await footprint();
		// The finding's receipt, word for word: keys with no statements.
		const bare = await attacker.post<{ error: { code: string } }>(`/train-sessions/${id}/receipts`, { round: 1, accepted: [], rejected: [victim.key] });
		expect(bare.status).toBe(400);
		// A statement the attacker made up (signed by itself, or by the victim for another session) names nobody.
		const forged = { round: 1, accepted: [], rejected: [{ worker: victim.key, update: updateProof(attacker.signer!, id, 1) }] };
		const refused = await attacker.post<{ error: { code: string; message: string } }>(`/train-sessions/${id}/receipts`, forged);
		expect(refused.status).toBe(403);
		expect(refused.body.error.code).toBe('forbidden');
		expect(refused.body.error.message).toMatch(/only keys that took part/);
		const elsewhere = receiptFor('another-session', 1, [], [victim.signer!]);
		expect((await attacker.post(`/train-sessions/${id}/receipts`, elsewhere)).status).toBe(403);
		// Nothing was written: no receipt, no trust event, no streak touched.
		expect(await footprint()).toEqual(written);
		const after = await trust(victim.key);
		expect(after.validStreak).toBe(before.validStreak);
		expect(after.events.filter((e) => e.kind === 'rejected-delta')).toEqual([]);
	});

	it('a participant rejected in a round that paid nobody keeps its standing', async () => {
		const id = await cheapSession('smear two');
		const before = await trust(victim.key);
		const free = await attacker.post<{ rejectionsCounted: number; paidMicro: number }>(`/train-sessions/${id}/receipts`, receiptFor(id, 1, [], [victim.signer!]));
		expect(free.status).toBe(200);
		expect(free.body).toMatchObject({ paidMicro: 0, rejectionsCounted: 0 });
		const after = await trust(victim.key);
		expect(after.validStreak).toBe(before.validStreak);
		expect(after.events.filter((e) => e.kind === 'rejected-delta')).toEqual([]);
	});

	it('a paid round counts a rejection once per session, and a proven key stays proven', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		expect((await host.post('/grants/demo', {})).status).toBe(201);
		const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'fair-host-0001', title: 'paid', mode: 'funded', budgetMicro: 100_000, pricePerKTokenMicro: 1_000 });
		const id = made.body.id;
		const honest = new NodeSigner();
		const before = await trust(victim.key);
		for (const round of [1, 2, 3]) {
			const res = await host.post<{ rejectionsCounted: number; paidMicro: number }>(`/train-sessions/${id}/receipts`, receiptFor(id, round, [[honest, 1_000]], [victim.signer!]));
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ paidMicro: 1_000, rejectionsCounted: round === 1 ? 1 : 0 });
		}
		const after = await trust(victim.key);
		expect(after.validStreak).toBe(Math.max(WARMUP, Math.floor(before.validStreak / 2)));
		expect(after.validStreak).toBeGreaterThanOrEqual(after.replicatedUntilStreak);
		const events = after.events.filter((e) => e.kind === 'rejected-delta');
		expect(events).toHaveLength(1);
		expect(events[0]!.detail).toMatch(/round 1 of session/);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

// Training sessions through the real HTTP API: a host mints a join code, anyone can look it
// up, only the host can move or end it, and bad codes are refused with clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/lib/protocol/accounts.js';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, type TrainSession } from '../../src/lib/protocol/training.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { receiptFor } from '../testing/train-receipts.js';
import { OPEN_SESSIONS_PER_HOST_MAX } from './train-sessions.js';

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

describe('training sessions', () => {
	it('a host gets a code, a peer finds the host with it, only the host moves or ends it', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'host-peer-0001', title: 'Year 9 biology', mode: 'classroom' });
		expect(made.status).toBe(201);
		expect(made.body.code).toHaveLength(JOIN_CODE_LENGTH);
		for (const ch of made.body.code) expect(JOIN_CODE_ALPHABET).toContain(ch);
		const anyone = new ApiClient(relay.url, new NodeSigner());
		const found = await anyone.get<TrainSession>(`/train-sessions/${made.body.code.toLowerCase()}`);
		expect(found.status).toBe(200);
		expect(found.body).toMatchObject({ id: made.body.id, hostPeerId: 'host-peer-0001', title: 'Year 9 biology', state: 'open', host: host.key });

		const stranger = await anyone.post<{ error: { code: string } }>(`/train-sessions/${made.body.id}`, { end: true });
		expect(stranger.status).toBe(404);
		const moved = await host.post<TrainSession>(`/train-sessions/${made.body.id}`, { hostPeerId: 'host-peer-0002' });
		expect(moved.body.hostPeerId).toBe('host-peer-0002');
		const ended = await host.post<TrainSession>(`/train-sessions/${made.body.id}`, { end: true });
		expect(ended.body.state).toBe('ended');
		expect((await anyone.get<TrainSession>(`/train-sessions/${made.body.code}`)).body.state).toBe('ended');
		expect((await host.post(`/train-sessions/${made.body.id}`, { end: true })).status).toBe(404);
	});

	it('refuses malformed codes, unknown codes, bad bodies and too many open sessions', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		expect((await host.get('/train-sessions/ABC')).status).toBe(400);
		expect((await host.get('/train-sessions/ABCDE0')).status).toBe(400); // 0 is not in the alphabet
		expect((await host.get('/train-sessions/ZZZZZZ')).status).toBe(404);
		expect((await host.post('/train-sessions', { hostPeerId: 'x', title: 't', mode: 'classroom' })).status).toBe(400);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-0003', title: '', mode: 'classroom' })).status).toBe(400);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-0003', title: 'paid', mode: 'funded' })).status).toBe(400);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-0003', title: 'free', mode: 'classroom', budgetMicro: 5 })).status).toBe(400);
		for (let i = 0; i < OPEN_SESSIONS_PER_HOST_MAX; i++) expect((await host.post('/train-sessions', { hostPeerId: `host-peer-10${i}0`, title: `s${i}`, mode: 'classroom' })).status).toBe(201);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-1999', title: 'one too many', mode: 'classroom' })).status).toBe(409);
	});
});

describe('funded training sessions', () => {
	it('escrow the budget, pay accepted contributions by tokens, record rejections, refund the rest on end', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		expect((await host.post('/grants/demo', {})).status).toBe(201);
		const before = (await host.get<Account>(`/accounts/${host.key}`)).body.balanceMicro;
		const poor = new ApiClient(relay.url, new NodeSigner());
		expect((await poor.post('/train-sessions', { hostPeerId: 'host-peer-2000', title: 'no money', mode: 'funded', budgetMicro: 1_000_000, pricePerKTokenMicro: 100 })).status).toBe(402);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-2001', title: 'no price', mode: 'funded', budgetMicro: 1_000_000 })).status).toBe(400);

		const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'host-peer-2002', title: 'paid class', mode: 'funded', budgetMicro: 10_000, pricePerKTokenMicro: 1_000 });
		expect(made.status).toBe(201);
		expect(made.body).toMatchObject({ mode: 'funded', budgetMicro: 10_000, escrowMicro: 10_000 });
		expect((await host.get<Account>(`/accounts/${host.key}`)).body.balanceMicro).toBe(before - 10_000);

		const signers = [new NodeSigner(), new NodeSigner(), new NodeSigner()] as const;
		const [alice, bob, mallory] = signers.map((s) => new ApiClient(relay.url, s));
		const id = made.body.id;
		const receipt = receiptFor(id, 1, [[signers[0], 3_072], [signers[1], 1_536]], [signers[2]]);
		const paid = await host.post<{ paidMicro: number; replayed: boolean; escrowMicro: number }>(`/train-sessions/${id}/receipts`, receipt);
		expect(paid.status).toBe(200);
		expect(paid.body).toEqual({ paidMicro: 3_072 + 1_536, replayed: false, escrowMicro: 10_000 - 4_608, rejectionsCounted: 1 });
		expect((await alice!.get<Account>(`/accounts/${alice!.key}`)).body.balanceMicro).toBe(3_072);
		expect((await bob!.get<Account>(`/accounts/${bob!.key}`)).body.balanceMicro).toBe(1_536);
		// The same receipt again pays nothing; a different one for that round is refused.
		expect((await host.post<{ replayed: boolean }>(`/train-sessions/${id}/receipts`, receipt)).body.replayed).toBe(true);
		expect((await host.post(`/train-sessions/${id}/receipts`, { ...receipt, rejected: [] })).status).toBe(409);
		expect((await alice!.get<Account>(`/accounts/${alice!.key}`)).body.balanceMicro).toBe(3_072);
		// Only the host signs receipts; nobody is paid twice in one receipt; the host cannot pay itself.
		expect((await alice!.post(`/train-sessions/${id}/receipts`, receiptFor(id, 2, [[signers[1], 10]]))).status).toBe(404);
		const twice = receiptFor(id, 2, [[signers[0], 10]]);
		expect((await host.post(`/train-sessions/${id}/receipts`, { ...twice, accepted: [...twice.accepted, ...twice.accepted] })).status).toBe(400);
		expect((await host.post(`/train-sessions/${id}/receipts`, receiptFor(id, 2, [[host.signer!, 10]]))).status).toBe(400);
		// A statement signed for another round, or by another key, names nobody.
		const stale = receiptFor(id, 1, [[signers[0], 10]]);
		expect((await host.post(`/train-sessions/${id}/receipts`, { ...stale, round: 2 })).status).toBe(403);
		const borrowed = receiptFor(id, 2, [[signers[0], 10]]);
		expect((await host.post(`/train-sessions/${id}/receipts`, { ...borrowed, accepted: [{ ...borrowed.accepted[0]!, worker: bob!.key }] })).status).toBe(403);
		// The rejection counts against mallory.
		const trust = (await mallory!.get<{ events: { kind: string }[] }>(`/accounts/${mallory!.key}/trust`)).body;
		expect(trust.events.map((e) => e.kind)).toContain('rejected-delta');
		// Round 2 asks for more than is left: it gets what is left, and no more.
		const round2 = await host.post<{ paidMicro: number; escrowMicro: number }>(`/train-sessions/${id}/receipts`, receiptFor(id, 2, [[signers[1], 9_000]]));
		expect(round2.body).toEqual({ paidMicro: 10_000 - 4_608, replayed: false, escrowMicro: 0, rejectionsCounted: 0 });

		const ended = await host.post<TrainSession>(`/train-sessions/${id}`, { end: true });
		expect(ended.body.escrowMicro).toBe(0);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});

	it('ending a funded session returns what is left to the host', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		expect((await host.post('/grants/demo', {})).status).toBe(201);
		const before = (await host.get<Account>(`/accounts/${host.key}`)).body.balanceMicro;
		const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'host-peer-3000', title: 'short class', mode: 'funded', budgetMicro: 50_000, pricePerKTokenMicro: 10 });
		const worker = new NodeSigner();
		expect((await host.post(`/train-sessions/${made.body.id}/receipts`, receiptFor(made.body.id, 1, [[worker, 2_000]]))).status).toBe(200);
		await host.post(`/train-sessions/${made.body.id}`, { end: true });
		expect((await host.get<Account>(`/accounts/${host.key}`)).body.balanceMicro).toBe(before - 20);
		expect((await host.post(`/train-sessions/${made.body.id}/receipts`, receiptFor(made.body.id, 2, [[worker, 2_000]]))).status).toBe(409);
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	});
});

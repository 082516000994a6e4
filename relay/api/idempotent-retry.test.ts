// Finding 9 of issue 14, and every other documented idempotent request: sending the identical
// request again (signed afresh, as a client's retry is) returns the first answer and moves no
// money twice, on PGlite and on Postgres (TEST_DATABASE_URL). POST /jobs used to answer the
// retry with 409 conflict: the stored spec came back from jsonb in another key order (and from
// postgres.js as the JSON text it was written as), so it never equalled the request's.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import type { Account } from '../../src/lib/protocol/accounts.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { updateStatement, type TrainSession } from '../../src/lib/protocol/training.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, type ApiResponse } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { tableCounts } from '../testing/table-counts.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 };

let relay: Relay;
let operator: ApiClient;
let requester: ApiClient;

beforeAll(async () => {
	const operatorSigner = new NodeSigner();
	relay = await startTestRelay({ operatorKey: operatorSigner.publicKeyHex });
	operator = new ApiClient(relay.url, operatorSigner);
	requester = new ApiClient(relay.url, new NodeSigner());
	expect((await requester.post('/grants/demo', {})).status).toBe(201);
});
afterAll(async () => {
	expect(await checkInvariants(relay.ctx.db)).toEqual([]);
	await relay?.close();
});

const balance = async (c: ApiClient) => (await c.get<Account>(`/accounts/${c.key}`)).body.balanceMicro;

/** Sends `send` twice: the retry answers as the first did and writes no row. */
async function expectIdempotent<T>(send: () => Promise<ApiResponse<T>>, firstStatus = 200, retryStatus = firstStatus): Promise<T> {
	const first = await send();
	expect(first.status, JSON.stringify(first.body)).toBe(firstStatus);
	const rows = await tableCounts(relay.ctx.db);
	const retry = await send();
	expect(retry.status, JSON.stringify(retry.body)).toBe(retryStatus);
	expect(retry.body).toEqual(first.body);
	expect(await tableCounts(relay.ctx.db)).toEqual(rows);
	return first.body;
}

describe('an identical retry returns the first answer', () => {
	it('POST /jobs, for every kernel, with the spec in any key order or with defaults left out', async () => {
		const before = await balance(requester);
		const job = await expectIdempotent(() => requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'retry-job-1' }), 201, 200);
		expect(await balance(requester)).toBe(before - 10_000_000);
		// The same job, whatever order the client's JSON has its keys in.
		const reordered = Object.fromEntries(Object.entries(SPEC).reverse());
		const again = await requester.post<JobSummary>('/jobs', { clientRef: 'retry-job-1', budgetMicro: 10_000_000, spec: reordered, kernel: 'mandelbrot' });
		expect(again.status).toBe(200);
		expect(again.body).toEqual(job);
		// A default left out is the same spec as the default written.
		const { tile: _tile, ...withoutTile } = { ...SPEC, tile: 256 };
		await expectIdempotent(() => requester.post('/jobs', { kernel: 'mandelbrot', spec: withoutTile, budgetMicro: 10_000_000, clientRef: 'retry-job-2' }), 201, 200);
		expect((await requester.post('/jobs', { kernel: 'mandelbrot', spec: { ...SPEC, tile: 256 }, budgetMicro: 10_000_000, clientRef: 'retry-job-2' })).status).toBe(200);
		await expectIdempotent(() => requester.post('/jobs', { kernel: 'mc-pi', spec: { seed: 7, chains: 2, steps: 8, samplesPerStep: 64 }, budgetMicro: 10_000_000, clientRef: 'retry-job-3' }), 201, 200);
		// A different request under a used clientRef is still a conflict, and escrows nothing.
		const mid = await balance(requester);
		expect((await requester.post('/jobs', { kernel: 'mandelbrot', spec: { ...SPEC, maxIter: 101 }, budgetMicro: 10_000_000, clientRef: 'retry-job-1' })).status).toBe(409);
		expect((await requester.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_001, clientRef: 'retry-job-1' })).status).toBe(409);
		expect(await balance(requester)).toBe(mid);
	});

	it('POST /stakes, /unstakes and /redemptions (idempotent per ref)', async () => {
		// Starter credits cannot be staked or redeemed: stake bought (minted) credits.
		expect((await operator.post('/mint', { to: requester.key, amountMicro: 10_000, ref: 'retry-fund-stakes' })).status).toBe(200);
		await expectIdempotent(() => requester.post('/stakes', { amountMicro: 2_000, ref: 'retry-stake-1' }));
		await expectIdempotent(() => requester.post('/unstakes', { amountMicro: 1_000, ref: 'retry-unstake-1' }));
		await expectIdempotent(() => requester.post('/redemptions', { amountMicro: 500, destination: 'bank account 1', ref: 'retry-redeem-1' }));
		expect((await requester.post('/redemptions', { amountMicro: 500, destination: 'bank account 2', ref: 'retry-redeem-1' })).status).toBe(409);
	});

	it('POST /mint and /trusted-keys (the operator)', async () => {
		const to = new ApiClient(relay.url, new NodeSigner());
		await expectIdempotent(() => operator.post('/mint', { to: to.key, amountMicro: 5_000, ref: 'retry-mint-1' }));
		expect(await balance(to)).toBe(5_000);
		expect((await operator.post('/mint', { to: to.key, amountMicro: 5_001, ref: 'retry-mint-1' })).status).toBe(409);
		await expectIdempotent(() => operator.post('/trusted-keys', { key: to.key, trusted: true, note: 'referee' }));
	});

	it('POST /train-sessions/:id/receipts (the same receipt pays once)', async () => {
		const made = await requester.post<TrainSession>('/train-sessions', { hostPeerId: 'retry-host-01', title: 'retry', mode: 'funded', budgetMicro: 10_000, pricePerKTokenMicro: 1_000 });
		expect(made.status).toBe(201);
		const peerSigner = new NodeSigner();
		const peer = new ApiClient(relay.url, peerSigner);
		// The peer's own signed statement of its update: a receipt may name only participants.
		const sha256 = createHash('sha256').update('retry delta').digest('hex');
		const update = { sha256, signature: peerSigner.sign(new TextEncoder().encode(updateStatement(made.body.id, 1, sha256))) };
		const receipt = { round: 1, accepted: [{ worker: peer.key, tokens: 2_000, update }], rejected: [] };
		const first = await requester.post<{ paidMicro: number; replayed: boolean }>(`/train-sessions/${made.body.id}/receipts`, receipt);
		expect(first.body).toMatchObject({ paidMicro: 2_000, replayed: false });
		const rows = await tableCounts(relay.ctx.db);
		const retry = await requester.post<{ paidMicro: number; replayed: boolean }>(`/train-sessions/${made.body.id}/receipts`, receipt);
		// The retry says it was a replay; what it paid is the first answer's.
		expect(retry.body).toEqual({ ...first.body, replayed: true });
		expect(await tableCounts(relay.ctx.db)).toEqual(rows);
		// The host's budget came from its starter credits, so the pay arrives as starter credits.
		const paidTo = (await peer.get<Account>(`/accounts/${peer.key}`)).body;
		expect(paidTo).toMatchObject({ balanceMicro: 2_000, starterMicro: 2_000 });
	});

	it('POST /leases commitments, /leases/:id/heartbeat, /results/:leaseId and mailbox claims', async () => {
		const job = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'retry-job-9' });
		expect(job.status).toBe(201);
		const [a, b] = [new ApiClient(relay.url, new NodeSigner()), new ApiClient(relay.url, new NodeSigner())];
		const leaseOf = async (w: ApiClient) => ((await w.claim({ maxTasks: 16, kernels: ['mandelbrot'] })).body.leases as Lease[]).find((l) => l.jobId === job.body.id) as Lease;
		const [la, lb] = [await leaseOf(a), await leaseOf(b)];
		expect(la.taskId).toBe(lb.taskId);
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, la.params));
		const commitment = a.commitmentFor(la, bytes);
		// A repeated commitment is bound again, not refused (its lease's expiry moves on, as a heartbeat's does).
		const c1 = await a.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [commitment] });
		const c2 = await a.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [commitment] });
		for (const c of [c1, c2]) expect(c.body.commitments).toEqual([{ leaseId: la.leaseId, ok: true, expiresAt: expect.any(Number) }]);
		expect((await b.post(`/leases/${lb.leaseId}/heartbeat`, {})).status).toBe(200);
		expect((await b.post(`/leases/${lb.leaseId}/heartbeat`, {})).status).toBe(200);
		expect((await b.commit(lb, bytes)).ok).toBe(true);
		expect((await a.reveal(la, bytes)).status).toBe(200);
		const paid = await expectIdempotent(() => b.reveal<{ verdict: string; paidMicro: number }>(lb, bytes));
		expect(paid.verdict).toBe('accepted');
		expect(paid.paidMicro).toBeGreaterThan(0);
		const owner = new ApiClient(relay.url, new NodeSigner());
		await expectIdempotent(() => owner.post('/mesh/mailboxes/retry-box-01', {}));
	});
});

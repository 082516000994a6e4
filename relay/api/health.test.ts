// Health through the real HTTP API: the public answer comes from memory; the reconciliation
// behind it runs at start, on a schedule and when the operator (only) asks, and names what broke.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthSchema, type Health } from '../../src/lib/protocol/health.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const operator = new NodeSigner();
let relay: Relay;
let op: ApiClient;
beforeAll(async () => {
	relay = await startTestRelay({ operatorKey: operator.publicKeyHex, reconcileIntervalMs: 1_000 });
	op = new ApiClient(relay.url, operator);
});
afterAll(async () => {
	await relay?.close();
});

const reconcileNow = async () => {
	const res = await op.post<Health>('/health/reconcile', {});
	return { status: res.status, health: v.parse(HealthSchema, res.body) };
};

describe('GET /api/v1/health', () => {
	it('answers liveness with the latest reconciliation, which the relay runs at start and on its schedule', async () => {
		const anyone = new ApiClient(relay.url);
		let health = v.parse(HealthSchema, (await anyone.get('/health')).body);
		expect(health.reconcileEveryMs).toBe(1_000);
		const deadline = Date.now() + 10_000;
		while (health.reconciliation?.trigger !== 'schedule' && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 100));
			health = v.parse(HealthSchema, (await anyone.get('/health')).body);
		}
		expect(health.reconciliation?.trigger).toBe('schedule');
		expect(health.ok).toBe(true);
		expect(health.reconciliation?.invariants.map((i) => i.name)).toContain('balances sum to zero');
		expect(health.reconciliation!.finishedAt).toBeLessThanOrEqual(health.servedAt);
	});

	it('reports every invariant holding on balanced books, fresh when the operator asks', async () => {
		const client = new ApiClient(relay.url, new NodeSigner());
		await client.post('/grants/demo', {});
		const asked = Date.now();
		const { status, health } = await reconcileNow();
		expect(status).toBe(200);
		expect(health.ok).toBe(true);
		expect(health.reconciliation?.trigger).toBe('operator');
		expect(health.reconciliation!.startedAt).toBeGreaterThanOrEqual(asked);
		expect(health.reconciliation!.steps).toBeGreaterThanOrEqual(health.reconciliation!.invariants.length);
		expect(health.reconciliation!.invariants.every((i) => i.ok && i.problems.length === 0)).toBe(true);
		// The public answer now carries that report.
		const pub = await client.get<Health>('/health');
		expect(pub.status).toBe(200);
		expect(pub.body.reconciliation?.startedAt).toBeGreaterThanOrEqual(health.reconciliation!.startedAt);
	});

	it('turns 503 and names the broken invariant when the books drift', async () => {
		const client = new ApiClient(relay.url, new NodeSigner());
		await client.post('/grants/demo', {});
		// Simulate corruption behind the ledger's back: a balance that no entry explains.
		await relay.ctx.db.query(`UPDATE accounts SET balance_micro = balance_micro + 7 WHERE id = $1`, [`starter:${client.key}`]);
		try {
			const { status, health } = await reconcileNow();
			expect(status).toBe(503);
			expect(health.ok).toBe(false);
			const broken = health.reconciliation!.invariants.filter((i) => !i.ok);
			expect(broken.map((i) => i.name)).toEqual(expect.arrayContaining(['balances sum to zero', 'every balance equals its entries']));
			expect(broken.find((i) => i.name === 'every balance equals its entries')?.problems.join()).toContain(client.key);
			expect((await client.get('/health')).status).toBe(503);
		} finally {
			await relay.ctx.db.query(`UPDATE accounts SET balance_micro = balance_micro - 7 WHERE id = $1`, [`starter:${client.key}`]);
		}
		expect((await reconcileNow()).status).toBe(200);
		expect((await client.get('/health')).status).toBe(200);
	});

	it('lets only the operator ask, and runs asks made together as one follow-up reconciliation', async () => {
		const stranger = new ApiClient(relay.url, new NodeSigner());
		const refused = await stranger.post<{ error: { code: string } }>('/health/reconcile', {});
		expect(refused.status).toBe(403);
		expect(refused.body.error.code).toBe('forbidden');
		expect((await op.post('/health/reconcile', { extra: 1 })).status).toBe(400);
		const answers = await Promise.all(Array.from({ length: 6 }, () => reconcileNow()));
		const runs = new Set(answers.map((a) => a.health.reconciliation!.startedAt));
		// At most the run under way when they arrived and one follow-up: never one run per ask.
		expect(runs.size).toBeLessThanOrEqual(2);
	});
});

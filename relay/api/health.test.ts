import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthSchema } from '../../src/lib/protocol/health.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

describe('GET /api/v1/health', () => {
	it('reports every invariant holding on balanced books', async () => {
		const client = new ApiClient(relay.url, new NodeSigner());
		await client.post('/grants/demo', {});
		const res = await client.get('/health');
		expect(res.status).toBe(200);
		const health = v.parse(HealthSchema, res.body);
		expect(health.ok).toBe(true);
		expect(health.invariants.map((i) => i.name)).toContain('balances sum to zero');
		expect(health.invariants.every((i) => i.ok && i.problems.length === 0)).toBe(true);
	});

	it('turns 503 and names the broken invariant when the books drift', async () => {
		const client = new ApiClient(relay.url, new NodeSigner());
		await client.post('/grants/demo', {});
		// Simulate corruption behind the ledger's back: a balance that no entry explains.
		await relay.ctx.db.query(`UPDATE accounts SET balance_micro = balance_micro + 7 WHERE id = $1`, [`starter:${client.key}`]);
		const res = await client.get('/health');
		expect(res.status).toBe(503);
		const health = v.parse(HealthSchema, res.body);
		expect(health.ok).toBe(false);
		const broken = health.invariants.filter((i) => !i.ok).map((i) => i.name);
		expect(broken).toEqual(expect.arrayContaining(['balances sum to zero', 'every balance equals its entries']));
		await relay.ctx.db.query(`UPDATE accounts SET balance_micro = balance_micro - 7 WHERE id = $1`, [`starter:${client.key}`]);
		expect((await client.get('/health')).status).toBe(200);
	});
});

// Issue 14, finding 5 (mailbox squatting): one key claiming mailboxes in a loop used to fill the
// relay-wide table (2,046 in 2 s) so every other key got 429. Against the real relay over HTTP,
// the squatter now gets 429 after its per-key bound and another key still claims.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOXES_PER_KEY_MAX } from '../../src/lib/protocol/mesh-mailbox.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

/** As many claims as the relay-wide table used to take from one key. */
const ATTEMPTS = 64;

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

describe('mailbox squatting', () => {
	it('one key claiming in a loop is refused past its bound; another key still claims', async () => {
		const squatter = new ApiClient(relay.url, new NodeSigner());
		const statuses: number[] = [];
		let refusal: unknown = null;
		for (let i = 0; i < ATTEMPTS; i++) {
			const res = await squatter.post(`/mesh/mailboxes/squat-${String(i).padStart(4, '0')}`, {});
			statuses.push(res.status);
			if (res.status !== 200) refusal ??= res.body;
		}
		expect(statuses.filter((s) => s === 200)).toHaveLength(MAILBOXES_PER_KEY_MAX);
		expect(statuses.slice(MAILBOXES_PER_KEY_MAX).every((s) => s === 429)).toBe(true);
		expect(refusal).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/holds 8 mailboxes/) } });
		expect(relay.ctx.mailboxes.heldBy(squatter.key)).toBe(MAILBOXES_PER_KEY_MAX);

		const other = new ApiClient(relay.url, new NodeSigner());
		expect((await other.post('/mesh/mailboxes/honest-peer-01', {})).status).toBe(200);
		// A released mailbox gives the squatter its place back, and only that one.
		expect((await squatter.post('/mesh/mailboxes/squat-0000/release', {})).status).toBe(200);
		expect((await squatter.post('/mesh/mailboxes/squat-again-1', {})).status).toBe(200);
		expect((await squatter.post('/mesh/mailboxes/squat-again-2', {})).status).toBe(429);
	});
});

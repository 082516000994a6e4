// Relay mailboxes over the real HTTP API: claim, send, a long poll woken by mail (msgpack with
// binary bodies), and the refusals: another key's mailbox, an unclaimed sender, oversize bodies.
import { decode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX_MESSAGE_BYTES_MAX, type Mail } from '../../src/lib/protocol/mesh-mailbox.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
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

async function take(client: ApiClient, id: string, waitMs: number): Promise<{ status: number; mail: Mail[] }> {
	const path = `${API_PREFIX}/mesh/mailboxes/${id}/take`;
	const body = new TextEncoder().encode(JSON.stringify({ waitMs }));
	const res = await fetch(relay.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...client.signer!.headers(relay.url, 'POST', path, body) } });
	if (!res.ok) return { status: res.status, mail: [] };
	expect(res.headers.get('content-type')).toMatch(/msgpack/);
	return { status: res.status, mail: decode(new Uint8Array(await res.arrayBuffer())) as Mail[] };
}

describe('mesh mailboxes over HTTP', () => {
	it('a long poll is answered by the next message, bytes intact', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		const peer = new ApiClient(relay.url, new NodeSigner());
		expect((await host.post('/mesh/mailboxes/host-http-01', {})).status).toBe(200);
		expect((await peer.post('/mesh/mailboxes/peer-http-01', {})).status).toBe(200);
		const started = Date.now();
		const polling = take(host, 'host-http-01', 10_000);
		await new Promise((r) => setTimeout(r, 200));
		const payload = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
		const sent = await peer.send('/mesh/mailboxes/host-http-01/from/peer-http-01', payload, { 'content-type': 'application/octet-stream' });
		expect(sent.status).toBe(200);
		const got = await polling;
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(got.mail).toHaveLength(1);
		expect(got.mail[0]!.from).toBe('peer-http-01');
		expect(Buffer.from(got.mail[0]!.body).equals(Buffer.from(payload))).toBe(true);
		expect((await take(host, 'host-http-01', 0)).mail).toEqual([]);
	});

	it('refuses another key, an unclaimed sender, an unknown mailbox and oversize or empty bodies', async () => {
		const owner = new ApiClient(relay.url, new NodeSigner());
		const other = new ApiClient(relay.url, new NodeSigner());
		await owner.post('/mesh/mailboxes/owned-http-1', {});
		expect((await other.post('/mesh/mailboxes/owned-http-1', {})).status).toBe(409);
		expect((await take(other, 'owned-http-1', 0)).status).toBe(403);
		const bin = { 'content-type': 'application/octet-stream' };
		expect((await other.send('/mesh/mailboxes/owned-http-1/from/unclaimed-1', new Uint8Array(4), bin)).status).toBe(403);
		await other.post('/mesh/mailboxes/other-http-1', {});
		expect((await other.send('/mesh/mailboxes/missing-http/from/other-http-1', new Uint8Array(4), bin)).status).toBe(404);
		expect((await other.send('/mesh/mailboxes/owned-http-1/from/other-http-1', new Uint8Array(0), bin)).status).toBe(400);
		expect((await other.send('/mesh/mailboxes/owned-http-1/from/other-http-1', new Uint8Array(MAILBOX_MESSAGE_BYTES_MAX + 1), bin)).status).toBe(413);
		expect((await other.post('/mesh/mailboxes/x', {})).status).toBe(400);
		// Released, the id is free for anyone.
		await owner.post('/mesh/mailboxes/owned-http-1/release', {});
		expect((await other.post('/mesh/mailboxes/owned-http-1', {})).status).toBe(200);
	});
});

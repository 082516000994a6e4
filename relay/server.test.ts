import { request } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NodeSigner } from './testing/node-signer.js';
import { signalUrl, testPeerId, testSignalToken } from './testing/signal-client.js';
import { startTestRelay } from './testing/test-relay.js';

/** Opens a real WebSocket upgrade to the PeerJS signalling path, as a browser's Peer does. */
function openSignalling(url: string): Promise<Socket> {
	const { hostname, port } = new URL(url);
	const signer = new NodeSigner();
	const id = testPeerId(signer);
	const path = new URL(signalUrl(url, id, testSignalToken(signer, url, id)));
	return new Promise((resolve, reject) => {
		const req = request({
			hostname,
			port,
			path: path.pathname + path.search,
			headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }
		});
		req.on('upgrade', (_res, socket) => resolve(socket));
		req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
		req.on('error', reject);
		req.end();
	});
}

describe('relay lifecycle', () => {
	it('serves PeerJS signalling on the same port and shuts down promptly with peers connected', async () => {
		const relay = await startTestRelay();
		const socket = await openSignalling(relay.url);
		const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
		const started = Date.now();
		await relay.close();
		await closedByServer;
		expect(Date.now() - started).toBeLessThan(3_000);
	});
});

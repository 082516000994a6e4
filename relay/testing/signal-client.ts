// A PeerJS signalling client for tests and soaks: opens the relay's socket as a page's Peer does
// (same URL, a token signed by a NodeSigner) and reports either the refusal (status and JSON
// error) or the open socket with the messages it receives.
import { randomBytes } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { AUTH_HEADERS } from '../../src/lib/protocol/auth.js';
import { PEERJS_KEY, SIGNAL_SOCKET_PATH, signalPeerId, signalSignedPath } from '../../src/lib/protocol/signalling.js';
import type { NodeSigner } from './node-signer.js';

/** A fresh mesh id for `signer`. */
export function testPeerId(signer: NodeSigner, role = 'peer'): string {
	return signalPeerId(role, signer.publicKeyHex, randomBytes(8).toString('hex'));
}

/** A signalling token for `id`, signed by `signer` for `origin` now (or at `now`). */
export function testSignalToken(signer: NodeSigner, origin: string, id: string, now = Date.now()): string {
	const h = signer.headers(origin, 'GET', signalSignedPath(id), new Uint8Array(0), now);
	return [h[AUTH_HEADERS.version], h[AUTH_HEADERS.key], h[AUTH_HEADERS.timestamp], h[AUTH_HEADERS.nonce], h[AUTH_HEADERS.signature]].join('.');
}

export function signalUrl(relayUrl: string, id: string, token: string): string {
	return `${relayUrl.replace(/^http/, 'ws')}${SIGNAL_SOCKET_PATH}?key=${PEERJS_KEY}&id=${id}&token=${token}&version=1.5.5`;
}

export interface OpenSignal {
	ok: true;
	ws: WebSocket;
	/** Every message received so far, parsed. */
	messages: { type: string; src?: string; dst?: string; payload?: unknown }[];
	/** Resolves with the first message of `type` (already received or still to come). */
	next(type: string, timeoutMs?: number): Promise<{ type: string; src?: string; dst?: string; payload?: unknown }>;
	/** Resolves with the close code once the socket closes. */
	closed: Promise<number>;
}

export interface RefusedSignal {
	ok: false;
	status: number;
	body: { error?: { code?: string; message?: string } };
	retryAfter: string | undefined;
}

/** Opens `url`; resolves once the relay has answered OPEN, or with its refusal. */
export function openSignal(url: string, options: ClientOptions = {}): Promise<OpenSignal | RefusedSignal> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, options);
		const messages: OpenSignal['messages'] = [];
		const waiters: { type: string; resolve: (m: OpenSignal['messages'][number]) => void }[] = [];
		const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
		const next: OpenSignal['next'] = (type, timeoutMs = 5_000) => {
			const seen = messages.find((m) => m.type === type);
			if (seen) return Promise.resolve(seen);
			return new Promise((res, rej) => {
				const timer = setTimeout(() => rej(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
				waiters.push({ type, resolve: (m) => (clearTimeout(timer), res(m)) });
			});
		};
		ws.on('message', (data) => {
			const m = JSON.parse(String(data)) as OpenSignal['messages'][number];
			messages.push(m);
			for (const w of waiters.filter((w) => w.type === m.type)) w.resolve(m);
			if (m.type === 'OPEN') resolve({ ok: true, ws, messages, next, closed });
		});
		ws.on('unexpected-response', (_req, res) => {
			let text = '';
			res.on('data', (d: Buffer) => (text += d.toString()));
			res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as RefusedSignal['body'], retryAfter: res.headers['retry-after'] }));
		});
		ws.on('error', (err) => {
			if (ws.readyState !== WebSocket.OPEN) reject(err);
		});
	});
}

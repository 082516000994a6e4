// PeerJS signalling bound to identity (protocol in src/lib/protocol/signalling.ts). The relay
// takes every WebSocket upgrade itself and checks, cheapest first: the path, the address's
// budget, the handshake, the origin, the signed token (whose key the id must name), the key's
// budget, and that the id is not live. Only then does the PeerJS server get the socket, through
// a gate that checks every message (signal-gate.ts). A second socket for a live id is refused
// unless the first no longer answers a ping: that is the owner coming back after a network blip.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ExpressPeerServer } from 'peer';
import { WebSocket, WebSocketServer } from 'ws';
import { PEERJS_PATH } from '../../src/lib/protocol/version.js';
import { PEERJS_KEY, SIGNAL_MESSAGE_BYTES_MAX, SIGNAL_SOCKET_PATH, SIGNAL_SOCKETS_PER_KEY_MAX } from '../../src/lib/protocol/signalling.js';
import type { NonceCache } from '../auth/nonce-cache.js';
import { DomainError } from '../domain-error.js';
import { clientAddress } from '../tasks/network.js';
import { GatedSocket } from './signal-gate.js';
import { verifySignalToken } from './signal-token.js';
import { addressGroup, SocketBudget } from './socket-budget.js';
import { refuseUpgrade } from '../api/upgrade-refusal.js';

/** How long a live socket has to answer a ping before a reconnect of its id replaces it. */
const SIGNAL_PROBE_MS = 2_000;

export interface SignallingOptions {
	server: Server;
	/** The relay's origins (origins.ts); a token signs one of them. */
	origins: Set<string>;
	nonces: NonceCache;
	startedAt: number;
	trustProxy: boolean;
	socketsMax: number;
	socketsPerAddressMax: number;
	log?: (message: string) => void;
}

interface LiveId {
	key: string;
	/** Null until the handshake completes. */
	ws: WebSocket | null;
	/** A reconnect is checking whether `ws` still answers. */
	probing: boolean;
}

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

function checkHandshake(req: IncomingMessage): void {
	if (req.method !== 'GET') throw new DomainError('bad_request', 'a WebSocket upgrade is a GET');
	if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw new DomainError('bad_request', 'only WebSocket upgrades are served here');
	if (!WS_KEY.test(req.headers['sec-websocket-key'] ?? '')) throw new DomainError('bad_request', 'missing or invalid Sec-WebSocket-Key header');
	const version = req.headers['sec-websocket-version'];
	if (version !== '13' && version !== '8') throw new DomainError('bad_request', 'Sec-WebSocket-Version must be 13');
}

function queryValue(url: URL, name: string): string {
	const all = url.searchParams.getAll(name);
	if (all.length !== 1 || !all[0]) throw new DomainError('bad_request', `the signalling URL needs exactly one ${name} parameter`);
	return all[0];
}

/** The origin the page signed for (as requestOrigin does for HTTP), and a page from elsewhere refused. */
function upgradeOrigin(req: IncomingMessage, allowed: Set<string>): string {
	const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
	const origin = `${scheme}://${req.headers.host ?? ''}`;
	if (!allowed.has(origin)) throw new DomainError('unauthenticated', `this relay does not serve origin ${origin}; set PUBLIC_ORIGIN to the address browsers use`);
	const from = req.headers.origin;
	if (from !== undefined && !allowed.has(from)) throw new DomainError('forbidden', `a page from ${from.slice(0, 100)} may not open this relay's signalling`);
	return origin;
}

/** True when `ws` answers a ping within `ms`. */
function answers(ws: WebSocket, ms: number): Promise<boolean> {
	if (ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
	return new Promise((resolve) => {
		const done = (alive: boolean) => {
			clearTimeout(timer);
			ws.off('pong', onPong);
			ws.off('close', onClose);
			resolve(alive);
		};
		const onPong = () => done(true);
		const onClose = () => done(false);
		const timer = setTimeout(() => done(false), ms);
		ws.on('pong', onPong);
		ws.on('close', onClose);
		ws.ping();
	});
}

function cut(ws: WebSocket): Promise<void> {
	return new Promise((resolve) => {
		if (ws.readyState === WebSocket.CLOSED) return resolve();
		ws.once('close', () => resolve());
		ws.terminate();
	});
}

export class Signalling {
	private readonly budget: SocketBudget;
	private readonly live = new Map<string, LiveId>();
	private readonly wss = new WebSocketServer({ noServer: true, maxPayload: SIGNAL_MESSAGE_BYTES_MAX, clientTracking: false });
	private readonly peerServer: ReturnType<typeof ExpressPeerServer>;
	private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head);
	private readonly log: (message: string) => void;

	constructor(private readonly opts: SignallingOptions) {
		this.log = opts.log ?? ((m) => console.error(`[relay] ${m}`));
		this.budget = new SocketBudget({ total: opts.socketsMax, perAddress: opts.socketsPerAddressMax, perKey: SIGNAL_SOCKETS_PER_KEY_MAX });
		this.peerServer = ExpressPeerServer(opts.server, {
			path: '/',
			key: PEERJS_KEY,
			allow_discovery: false,
			proxied: false,
			concurrent_limit: opts.socketsMax,
			createWebSocketServer: () => this.wss
		});
		// A client's protocol fault (an oversized frame) is the client's; anything else is logged.
		this.peerServer.on('error', (err: Error & { code?: string }) => {
			if (!err.code?.startsWith('WS_ERR_')) this.log(`signalling: ${err.message}`);
		});
		opts.server.on('upgrade', this.onUpgrade);
	}

	/** Signalling sockets open or being opened. */
	get size(): number {
		return this.budget.size;
	}

	/**
	 * Mounts the peer server's HTTP side under PEERJS_PATH with only its info page open: no peer
	 * list (discovery stays off), and no id handed out, since a page names its own.
	 */
	mount(app: express.Express): void {
		const guard = (req: Request, _res: Response, next: NextFunction) => {
			if (req.method === 'GET' && req.path === '/') return next();
			next(new DomainError('not_found', 'signalling lists no peers and hands out no ids; a page opens a WebSocket at /peerjs/peerjs under its own id'));
		};
		app.use(PEERJS_PATH, guard, this.peerServer);
	}

	close(): void {
		this.opts.server.off('upgrade', this.onUpgrade);
		for (const entry of this.live.values()) entry.ws?.terminate();
		this.wss.close();
	}

	private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
		socket.on('error', () => socket.destroy());
		try {
			const url = new URL(req.url ?? '/', 'http://relay');
			if (url.pathname !== SIGNAL_SOCKET_PATH) throw new DomainError('not_found', `no WebSocket at ${url.pathname.slice(0, 100)}; signalling is at ${SIGNAL_SOCKET_PATH}`);
			const address = addressGroup(clientAddress(req, this.opts.trustProxy));
			this.budget.attempt(address);
			socket.once('close', this.budget.reserveAddress(address));
			checkHandshake(req);
			if (queryValue(url, 'key') !== PEERJS_KEY) throw new DomainError('bad_request', `the PeerJS key on this relay is "${PEERJS_KEY}"`);
			const id = queryValue(url, 'id');
			const token = queryValue(url, 'token');
			const origin = upgradeOrigin(req, this.opts.origins);
			const key = verifySignalToken({ id, token, origin, now: Date.now(), startedAt: this.opts.startedAt, nonces: this.opts.nonces });
			socket.once('close', this.budget.reserveKey(key));
			const entry = await this.claim(id, key);
			socket.once('close', () => this.live.get(id) === entry && this.live.delete(id));
			if (socket.destroyed) return void this.live.delete(id);
			this.wss.handleUpgrade(req, socket, head, (ws) => {
				entry.ws = ws;
				const gated = new GatedSocket(ws, id, (dst) => !!this.live.get(dst)?.ws);
				this.wss.emit('connection', gated, req);
			});
		} catch (err) {
			if (err instanceof DomainError) return refuseUpgrade(socket, err);
			this.log(`signalling upgrade failed: ${String(err)}`);
			socket.destroy();
		}
	}

	/** Takes `id` for `key`: free, or held by a socket of the same key that no longer answers. */
	private async claim(id: string, key: string): Promise<LiveId> {
		const held = this.live.get(id);
		if (held) {
			if (held.key !== key) throw new DomainError('forbidden', `mesh id ${id} belongs to another key`);
			if (held.probing || !held.ws) throw new DomainError('conflict', `another connection for mesh id ${id} is being opened right now`);
			held.probing = true;
			const alive = await answers(held.ws, SIGNAL_PROBE_MS);
			if (alive) {
				held.probing = false;
				throw new DomainError('conflict', `mesh id ${id} is connected on another socket that still answers; a second connection is refused (is it open in another tab?)`);
			}
			// The owner is back and its old socket is dead (a network blip): the old one goes.
			await cut(held.ws);
			if (this.live.get(id) === held) this.live.delete(id);
			if (this.live.has(id)) throw new DomainError('conflict', `another connection for mesh id ${id} was opened meanwhile`);
			this.log(`signalling: ${id} reconnected; its unanswering socket was closed`);
		}
		const entry: LiveId = { key, ws: null, probing: false };
		this.live.set(id, entry);
		return entry;
	}
}

// What the PeerJS server sees of one signalling socket. It only ever gets messages a page may
// send (valibot-checked, within the size the socket allows and a per-socket rate), and never one
// for an id that is not connected: that is answered EXPIRE at once instead of being queued for
// later, so nothing waits in memory for a peer that may never come.
import { EventEmitter } from 'node:events';
import * as v from 'valibot';
import { WebSocket, type RawData } from 'ws';
import { SIGNAL_MESSAGES_BURST, SIGNAL_MESSAGES_PER_SECOND, SignalMessageSchema } from '../../src/lib/protocol/signalling.js';

/** WebSocket close code for a message the relay refuses (RFC 6455: policy violation). */
const CLOSE_POLICY = 1008;
/** How long a socket the peer server closes may take to say goodbye before it is cut. */
const CLOSE_GRACE_MS = 2_000;

export class GatedSocket extends EventEmitter {
	private tokens = SIGNAL_MESSAGES_BURST;
	private refilledAt: number;

	constructor(
		private readonly ws: WebSocket,
		private readonly id: string,
		private readonly isConnected: (id: string) => boolean,
		private readonly clock: () => number = Date.now
	) {
		super();
		this.refilledAt = clock();
		ws.on('message', (data, isBinary) => this.receive(data, isBinary));
		ws.on('close', () => this.emit('close'));
		ws.on('error', (err) => this.emit('error', err));
	}

	/** The peer server's way to send (a JSON string). */
	send(data: string): void {
		if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
	}

	/** The peer server's way to close (a dead peer, a full server). */
	close(): void {
		this.ws.close();
		setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
	}

	private refuse(reason: string): void {
		this.ws.close(CLOSE_POLICY, reason);
		setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
	}

	private receive(data: RawData, isBinary: boolean): void {
		if (this.ws.readyState !== WebSocket.OPEN) return;
		const now = this.clock();
		this.tokens = Math.min(SIGNAL_MESSAGES_BURST, this.tokens + ((now - this.refilledAt) * SIGNAL_MESSAGES_PER_SECOND) / 1000);
		this.refilledAt = now;
		if (this.tokens < 1) return this.refuse(`more than ${SIGNAL_MESSAGES_PER_SECOND} signalling messages a second`);
		this.tokens -= 1;
		if (isBinary) return this.refuse('signalling messages are JSON text');
		let json: unknown;
		try {
			json = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
		} catch {
			return this.refuse('a signalling message is not valid JSON');
		}
		const parsed = v.safeParse(SignalMessageSchema, json);
		if (!parsed.success) return this.refuse('not a PeerJS HEARTBEAT, OFFER, ANSWER or CANDIDATE with a mesh peer id');
		const msg = parsed.output;
		if (msg.type !== 'HEARTBEAT' && !this.isConnected(msg.dst)) {
			// What the peer server itself says, only later, for a peer that never came.
			this.send(JSON.stringify({ type: 'EXPIRE', src: msg.dst, dst: this.id }));
			return;
		}
		this.emit('message', Buffer.from(JSON.stringify(msg)));
	}
}

// How the fuzz soak talks to the relay: HTTP through fetch (bodies and headers exactly as built),
// server-sent-event streams opened and dropped, and raw sockets for what fetch will not send
// (a WebSocket upgrade with hand-made frames, malformed HTTP). Every call is bounded in time.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface WireRequest {
	method: string;
	/** Path and query exactly as sent (percent-encoding untouched). */
	path: string;
	headers: Record<string, string>;
	body?: Uint8Array;
}

/** What came back: a status, or why none did (the connection was cut, or nothing came in time). */
export interface WireResult {
	status: number | null;
	error?: 'reset' | 'timeout';
	/** The start of the body, for the examples a report shows. */
	body: string;
}

const HTTP_TIMEOUT_MS = 15_000;
const RAW_WAIT_MS = 1_000;
const BODY_SHOWN_CHARS = 300;

export async function sendHttp(base: string, req: WireRequest): Promise<WireResult> {
	try {
		const res = await fetch(base + req.path, {
			method: req.method,
			headers: req.headers,
			...(req.body ? { body: new Uint8Array(req.body) } : {}),
			signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
			redirect: 'manual'
		});
		const text = await res.text();
		return { status: res.status, body: text.slice(0, BODY_SHOWN_CHARS) };
	} catch (err) {
		const name = (err as Error).name;
		return { status: null, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'reset', body: String((err as Error).cause ?? err).slice(0, BODY_SHOWN_CHARS) };
	}
}

/** Opens an event stream, reads its first bytes (or its refusal), and drops the connection. */
export async function sendSse(base: string, path: string, holdMs: number): Promise<WireResult> {
	const abort = new AbortController();
	const timer = setTimeout(() => abort.abort(), HTTP_TIMEOUT_MS);
	try {
		const res = await fetch(base + path, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
		let body = '';
		if (res.ok && res.body) {
			const reader = res.body.getReader();
			const first = await reader.read();
			body = new TextDecoder().decode(first.value ?? new Uint8Array()).slice(0, BODY_SHOWN_CHARS);
			await new Promise((r) => setTimeout(r, holdMs));
			await reader.cancel().catch(() => {});
		} else body = (await res.text()).slice(0, BODY_SHOWN_CHARS);
		return { status: res.status, body };
	} catch (err) {
		return { status: null, error: abort.signal.aborted ? 'timeout' : 'reset', body: String(err).slice(0, BODY_SHOWN_CHARS) };
	} finally {
		clearTimeout(timer);
		abort.abort();
	}
}

/** A client WebSocket frame (RFC 6455): masked unless `unmasked`, with a length field that may lie. */
export function wsFrame(opcode: number, payload: Uint8Array, opts: { fin?: boolean; unmasked?: boolean; claimedLength?: number } = {}): Uint8Array {
	const length = opts.claimedLength ?? payload.length;
	const head: number[] = [(opts.fin === false ? 0 : 0x80) | (opcode & 0x0f)];
	const maskBit = opts.unmasked ? 0 : 0x80;
	if (length < 126) head.push(maskBit | length);
	else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
	else {
		head.push(maskBit | 127, 0, 0, 0, 0);
		head.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
	}
	const mask = opts.unmasked ? new Uint8Array(0) : new Uint8Array(randomBytes(4));
	const body = new Uint8Array(payload.length);
	for (let i = 0; i < payload.length; i++) body[i] = (payload[i] ?? 0) ^ (mask.length ? (mask[i % 4] ?? 0) : 0);
	return new Uint8Array([...head, ...mask, ...body]);
}

function socketTo(base: string): Socket {
	const { hostname, port } = new URL(base);
	return connect({ host: hostname, port: Number(port) });
}

/**
 * Sends raw bytes on a fresh connection, then `after` (once the first response bytes arrive, or
 * straight away), and reports the HTTP status the relay answered with (101 for an upgrade).
 */
export function sendRaw(base: string, bytes: Uint8Array, after: Uint8Array[] = [], holdMs = 50): Promise<WireResult> {
	return new Promise((resolve) => {
		const socket = socketTo(base);
		let seen = '';
		let done = false;
		const finish = (r: WireResult) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(r);
		};
		const statusOf = () => {
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(seen);
			return m ? Number(m[1]) : null;
		};
		// A relay still waiting for the rest of a request that lied about its length is not an answer
		// to wait 15 s for: the case ends (no status) once it has been given a moment.
		const timer = setTimeout(() => finish({ status: statusOf(), body: seen.slice(0, BODY_SHOWN_CHARS) }), RAW_WAIT_MS + holdMs);
		let sentAfter = false;
		socket.on('data', (d: Buffer) => {
			seen += d.toString('latin1');
			if (!sentAfter && statusOf() !== null) {
				sentAfter = true;
				for (const frame of after) socket.write(frame);
				setTimeout(() => finish({ status: statusOf(), body: seen.slice(0, BODY_SHOWN_CHARS) }), holdMs);
			}
		});
		socket.on('error', () => finish({ status: statusOf(), error: statusOf() === null ? 'reset' : undefined, body: seen.slice(0, BODY_SHOWN_CHARS) }));
		socket.on('close', () => finish({ status: statusOf(), error: statusOf() === null ? 'reset' : undefined, body: seen.slice(0, BODY_SHOWN_CHARS) }));
		socket.write(bytes);
	});
}

/** The upgrade request a PeerJS client sends for `query` (key, id, token…). */
export function wsUpgrade(base: string, query: string, extraHeaders = ''): Uint8Array {
	const { host } = new URL(base);
	const key = randomBytes(16).toString('base64');
	return new TextEncoder().encode(
		`GET /peerjs/peerjs?${query} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n${extraHeaders}\r\n`
	);
}

// A refused WebSocket upgrade answers like any refused request: a 4xx status and the relay's
// JSON error body, then the connection closes. Nothing of the socket reaches the peer server.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../../src/lib/protocol/errors.js';
import type { HttpError } from '../api/http-error.js';

export function refuseUpgrade(socket: Duplex, err: HttpError): void {
	if (socket.destroyed) return;
	const body: ErrorBody = { error: { code: err.code, message: err.message } };
	const text = JSON.stringify(body);
	const retry = err.details as { retryAfterSeconds?: number } | undefined;
	const head = [
		`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Refused'}`,
		'Connection: close',
		'Content-Type: application/json; charset=utf-8',
		`Content-Length: ${Buffer.byteLength(text)}`,
		...(err.status === 429 && retry?.retryAfterSeconds ? [`Retry-After: ${retry.retryAfterSeconds}`] : [])
	];
	socket.once('finish', () => socket.destroy());
	socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
}

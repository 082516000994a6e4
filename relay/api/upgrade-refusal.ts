// A refused WebSocket upgrade answers like any refused request: a 4xx status and the relay's
// JSON error body, then the connection closes. Nothing of the socket reaches the peer server.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../../src/lib/protocol/errors.js';
import type { DomainError } from '../domain-error.js';
import { httpStatusOf, retryAfterSeconds } from './error-status.js';

export function refuseUpgrade(socket: Duplex, err: DomainError): void {
	if (socket.destroyed) return;
	const body: ErrorBody = { error: { code: err.code, message: err.message } };
	const text = JSON.stringify(body);
	const status = httpStatusOf(err);
	const retry = retryAfterSeconds(err);
	const head = [
		`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}`,
		'Connection: close',
		'Content-Type: application/json; charset=utf-8',
		`Content-Length: ${Buffer.byteLength(text)}`,
		...(status === 429 && retry !== null ? [`Retry-After: ${retry}`] : [])
	];
	socket.once('finish', () => socket.destroy());
	socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
}

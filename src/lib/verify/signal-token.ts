// The token a page opens its signalling socket with (format in src/lib/protocol/signalling.ts):
// a fresh request signature over a GET of the socket path for its peer id. Each token carries a
// new nonce and the current time, so a reconnect signs again and a copied token is useless.
import { AUTH_HEADERS } from '../protocol/auth.js';
import { signalSignedPath } from '../protocol/signalling.js';
import { signRequest } from './request-signature.js';

export interface SignalTokenInput {
	secretKey: Uint8Array;
	publicKeyHex: string;
	/** The relay's origin, e.g. `location.origin`. */
	origin: string;
	/** The mesh peer id (it must name this key: src/lib/protocol/signalling.ts). */
	id: string;
	/** The relay's clock (RelayClient.now()). */
	now: number;
}

export async function signalToken(input: SignalTokenInput): Promise<string> {
	const h = await signRequest({
		secretKey: input.secretKey,
		publicKeyHex: input.publicKeyHex,
		origin: input.origin,
		method: 'GET',
		path: signalSignedPath(input.id),
		body: new Uint8Array(0),
		now: input.now
	});
	return [h[AUTH_HEADERS.version], h[AUTH_HEADERS.key], h[AUTH_HEADERS.timestamp], h[AUTH_HEADERS.nonce], h[AUTH_HEADERS.signature]].join('.');
}

// Checks a signalling token (src/lib/protocol/signalling.ts) with the same code as every signed
// request: fresh timestamp, valid signature, unused nonce. On top, the id must name the signing
// key, so a valid token for one's own key cannot open someone else's id.
import { AUTH_HEADERS } from '../../src/lib/protocol/auth.js';
import { peerIdKeyPrefix, SIGNAL_TOKEN, signalSignedPath } from '../../src/lib/protocol/signalling.js';
import type { NonceCache } from '../auth/nonce-cache.js';
import { verifySignedRequest } from '../auth/verify-request.js';
import { DomainError } from '../domain-error.js';

export interface SignalTokenCheck {
	id: string;
	token: string;
	/** The relay's origin the page signed for (already checked to be one of ours). */
	origin: string;
	now: number;
	startedAt: number;
	nonces: NonceCache;
}

/** The signing key of a valid token for `id`; throws a DomainError otherwise. */
export function verifySignalToken(c: SignalTokenCheck): string {
	const prefix = peerIdKeyPrefix(c.id);
	if (prefix === null) throw new DomainError('bad_request', 'a mesh peer id is role-<first 32 hex of your public key>-<16 hex> (src/lib/protocol/signalling.ts)');
	const m = SIGNAL_TOKEN.exec(c.token);
	if (!m) throw new DomainError('unauthenticated', 'the signalling token must be version.key.timestamp.nonce.signature, a request signature over GET of the socket path for this id');
	const [, version = '', key = '', timestamp = '', nonce = '', signature = ''] = m;
	// Cheap before costly: an id that names another key is refused before any signature check.
	if (!key.startsWith(prefix)) throw new DomainError('forbidden', `mesh id ${c.id} belongs to another key; a key may only use ids that start with its own key`);
	const result = verifySignedRequest({
		origin: c.origin,
		method: 'GET',
		path: signalSignedPath(c.id),
		headers: {
			[AUTH_HEADERS.version]: version,
			[AUTH_HEADERS.key]: key,
			[AUTH_HEADERS.timestamp]: timestamp,
			[AUTH_HEADERS.nonce]: nonce,
			[AUTH_HEADERS.signature]: signature
		},
		body: new Uint8Array(0),
		now: c.now,
		startedAt: c.startedAt,
		nonces: c.nonces
	});
	if (!result.ok) throw new DomainError(result.code, result.message);
	return result.key;
}

import { signEd25519 } from './ed25519.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { AUTH_HEADERS } from '../protocol/auth.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { canonicalRequestBytes } from './canonical.js';
import { sha256Hex } from './sha256.js';

/** The five signature headers, by their wire names. */
export type AuthHeaderMap = Record<(typeof AUTH_HEADERS)[keyof typeof AUTH_HEADERS], string>;

export interface SignRequestInput {
	/** 32-byte ed25519 secret key (seed). */
	secretKey: Uint8Array;
	/** The matching public key; the relay treats it as the account id. */
	publicKeyHex: string;
	/** The relay's origin, no trailing slash, e.g. `http://127.0.0.1:8787`. */
	origin: string;
	method: string;
	/** Path including the query string, exactly as it will be sent. */
	path: string;
	/** The exact body bytes that will be sent (empty for none). */
	body: Uint8Array;
	/** Defaults to Date.now(); fixed only by tests and vectors. */
	now?: number;
	/** Defaults to 16 fresh random bytes; fixed only by tests and vectors. */
	nonce?: string;
}

/** Signs one request; merge the returned headers into the fetch. Each call needs its own nonce. */
export async function signRequest(input: SignRequestInput): Promise<AuthHeaderMap> {
	const timestamp = input.now ?? Date.now();
	const nonce = input.nonce ?? bytesToHex(randomBytes(16));
	const message = canonicalRequestBytes({
		origin: input.origin,
		method: input.method,
		path: input.path,
		bodySha256: sha256Hex(input.body),
		timestamp,
		nonce
	});
	const signature = signEd25519(message, input.secretKey);
	return {
		[AUTH_HEADERS.version]: String(PROTOCOL_VERSION),
		[AUTH_HEADERS.key]: input.publicKeyHex,
		[AUTH_HEADERS.timestamp]: String(timestamp),
		[AUTH_HEADERS.nonce]: nonce,
		[AUTH_HEADERS.signature]: bytesToHex(signature)
	};
}

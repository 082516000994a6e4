// Checks a signed write: well-formed headers, fresh timestamp, valid signature, unused nonce,
// in that order. The nonce is recorded only after the signature verifies, so a forger cannot
// burn someone else's nonces, and nothing is recorded for a request that is refused.
import { createHash } from 'node:crypto';
import { AUTH_HEADERS } from '../../src/lib/protocol/auth.js';
import { SIGNATURE_SKEW_MS_MAX } from '../../src/lib/protocol/limits.js';
import { PROTOCOL_VERSION } from '../../src/lib/protocol/version.js';
import { canonicalRequestBytes } from '../../src/lib/verify/canonical.js';
import { verifyEd25519 } from './ed25519-verify.js';
import { NonceCacheFullError, NonceKeyFullError, type NonceCache } from './nonce-cache.js';

export interface SignedRequest {
	/** The relay's own public origin (never taken from the request's Host header). */
	origin: string;
	method: string;
	/** Path and query exactly as received, e.g. `req.originalUrl`. */
	path: string;
	/** Header names in lower case, as Node gives them. */
	headers: Record<string, string | string[] | undefined>;
	/** The exact body bytes received. */
	body: Uint8Array;
	now: number;
	/** When this relay process started; earlier timestamps are refused (see nonce-cache.ts). */
	startedAt: number;
	nonces: NonceCache;
}

export type VerifyRequestResult =
	| { ok: true; key: string }
	| {
			ok: false;
			status: 401;
			code: 'unauthenticated' | 'bad_signature' | 'stale_signature' | 'replayed_nonce';
			message: string;
	  }
	/** The signature verified (so `key` signed it) but the replay cache holds no room for it. */
	| { ok: false; status: 429; code: 'rate_limited'; message: string; retryAfterMs: number; key: string };

type Failure = Extract<VerifyRequestResult, { ok: false }>;

const FORMATS = {
	version: /^[0-9]{1,4}$/,
	key: /^[0-9a-f]{64}$/,
	timestamp: /^[0-9]{1,16}$/,
	nonce: /^[0-9a-f]{32}$/,
	signature: /^[0-9a-f]{128}$/
} as const;

const DESCRIPTIONS: Record<keyof typeof AUTH_HEADERS, string> = {
	version: 'the protocol version as a decimal integer',
	key: 'a 32-byte ed25519 public key as 64 lowercase hex characters',
	timestamp: 'milliseconds since the epoch as a decimal integer',
	nonce: '16 random bytes as 32 lowercase hex characters',
	signature: 'a 64-byte ed25519 signature as 128 lowercase hex characters'
};

function unauthenticated(message: string): Failure {
	return { ok: false, status: 401, code: 'unauthenticated', message };
}

function seconds(ms: number): string {
	return `${Math.round(ms / 1000)} s`;
}

/** Reads the five headers, or says exactly which one is missing or malformed (cheap: no body, no crypto). */
export function readHeaders(headers: SignedRequest['headers']): Record<keyof typeof AUTH_HEADERS, string> | Failure {
	const out: Partial<Record<keyof typeof AUTH_HEADERS, string>> = {};
	for (const field of Object.keys(AUTH_HEADERS) as (keyof typeof AUTH_HEADERS)[]) {
		const name = AUTH_HEADERS[field];
		const value = headers[name];
		if (value === undefined) {
			return unauthenticated(`missing header ${name}; every write must be signed (see src/lib/verify/request-signature.ts)`);
		}
		if (typeof value !== 'string') return unauthenticated(`header ${name} was sent more than once`);
		if (!FORMATS[field].test(value)) {
			return unauthenticated(`header ${name} must be ${DESCRIPTIONS[field]} (got ${JSON.stringify(value.slice(0, 140))})`);
		}
		out[field] = value;
	}
	return out as Record<keyof typeof AUTH_HEADERS, string>;
}

export function verifySignedRequest(req: SignedRequest): VerifyRequestResult {
	const h = readHeaders(req.headers);
	if ('ok' in h) return h;
	if (h.version !== String(PROTOCOL_VERSION)) {
		return unauthenticated(`${AUTH_HEADERS.version} is ${h.version}; this relay speaks protocol version ${PROTOCOL_VERSION}`);
	}

	const timestamp = Number(h.timestamp);
	const age = req.now - timestamp;
	const skew = `allowed skew is ${seconds(SIGNATURE_SKEW_MS_MAX)}`;
	if (age > SIGNATURE_SKEW_MS_MAX) {
		return { ok: false, status: 401, code: 'stale_signature', message: `signature timestamp is ${seconds(age)} old; ${skew}` };
	}
	if (-age > SIGNATURE_SKEW_MS_MAX) {
		return {
			ok: false,
			status: 401,
			code: 'stale_signature',
			message: `signature timestamp is ${seconds(-age)} in the future; ${skew} (is this device's clock right?)`
		};
	}
	if (timestamp < req.startedAt) {
		return {
			ok: false,
			status: 401,
			code: 'stale_signature',
			message: `signature timestamp ${new Date(timestamp).toISOString()} is before this relay started (${new Date(req.startedAt).toISOString()}); sign the request again`
		};
	}

	let message: Uint8Array;
	try {
		message = canonicalRequestBytes({
			origin: req.origin,
			method: req.method,
			path: req.path,
			bodySha256: createHash('sha256').update(req.body).digest('hex'),
			timestamp,
			nonce: h.nonce
		});
	} catch (error) {
		// Only a path or method that no client could have signed ends up here.
		return { ok: false, status: 401, code: 'bad_signature', message: `request cannot carry a signature: ${String(error)}` };
	}
	if (!verifyEd25519(h.key, message, h.signature)) {
		return {
			ok: false,
			status: 401,
			code: 'bad_signature',
			message: `signature does not verify for key ${h.key.slice(0, 12)}… over ${req.method} ${req.path} at ${req.origin}; sign exactly this origin, method, path with query, and body bytes`
		};
	}

	if (req.nonces.has(h.key, h.nonce)) {
		return {
			ok: false,
			status: 401,
			code: 'replayed_nonce',
			message: `nonce ${h.nonce} was already used by this key; sign every request with a fresh nonce`
		};
	}
	try {
		req.nonces.remember(h.key, h.nonce, timestamp, req.now);
	} catch (error) {
		if (error instanceof NonceCacheFullError || error instanceof NonceKeyFullError) {
			return { ok: false, status: 429, code: 'rate_limited', message: error.message, retryAfterMs: error.retryAfterMs, key: h.key };
		}
		throw error;
	}
	return { ok: true, key: h.key };
}

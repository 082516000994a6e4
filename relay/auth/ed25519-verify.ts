// ed25519 verification with node:crypto (OpenSSL), many times faster than a pure-JS verifier.
// Building a KeyObject costs about as much as a verify, so recent keys are kept in a small LRU.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER SubjectPublicKeyInfo prefix for an ed25519 key; the raw 32 bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Bound on cached KeyObjects (about 100 bytes of key material plus object overhead each). */
export const KEY_CACHE_ENTRIES_MAX = 10_000;

const PUBLIC_KEY_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

/** Map iteration order is insertion order, so the first entry is the least recently used. */
const keyCache = new Map<string, KeyObject>();

function keyObject(publicKeyHex: string): KeyObject {
	const cached = keyCache.get(publicKeyHex);
	if (cached) {
		keyCache.delete(publicKeyHex);
		keyCache.set(publicKeyHex, cached);
		return cached;
	}
	const key = createPublicKey({
		key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]),
		format: 'der',
		type: 'spki'
	});
	keyCache.set(publicKeyHex, key);
	if (keyCache.size > KEY_CACHE_ENTRIES_MAX) {
		const oldest = keyCache.keys().next();
		if (!oldest.done) keyCache.delete(oldest.value);
	}
	return key;
}

/**
 * True only when `signatureHex` is a valid ed25519 signature of `message` by `publicKeyHex`
 * (both lowercase hex). Malformed keys or signatures give false; this never throws.
 */
export function verifyEd25519(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
	if (!PUBLIC_KEY_HEX.test(publicKeyHex) || !SIGNATURE_HEX.test(signatureHex)) return false;
	try {
		return verify(null, message, keyObject(publicKeyHex), Buffer.from(signatureHex, 'hex'));
	} catch {
		return false;
	}
}

/** Cached KeyObjects right now; for tests of the bound. */
export function keyCacheSize(): number {
	return keyCache.size;
}

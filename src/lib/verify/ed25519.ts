import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { base64urlToBytes } from './base64url.js';

// noble's async API hashes with WebCrypto, which browsers withhold from insecure origins: a
// classroom phone opening http://192.168.x.y:8787 has no crypto.subtle. The sync API with
// @noble/hashes' SHA-512 works on every origin and gives identical signatures.
ed.hashes.sha512 = sha512;

/** ed25519 signature of `message` with a 32-byte secret key. */
export function signEd25519(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
	return ed.sign(message, secretKey);
}

/** The 32-byte public key of a 32-byte secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
	return ed.getPublicKey(secretKey);
}

export const randomSecretKey = (): Uint8Array => ed.utils.randomSecretKey();

/** PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410): this prefix, then the seed. */
const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/**
 * The public key of a secret key, derived natively by WebCrypto where the browser has Ed25519
 * (about a second less main-thread work on a slow phone's first visit than noble's first
 * scalar multiplication, which builds its tables); noble elsewhere. Both follow RFC 8032, and a
 * browser test checks they agree.
 */
export async function publicKeyOfNative(secretKey: Uint8Array): Promise<Uint8Array> {
	try {
		const subtle = globalThis.crypto?.subtle;
		if (!subtle) return publicKeyOf(secretKey);
		const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
		pkcs8.set(PKCS8_ED25519_PREFIX);
		pkcs8.set(secretKey, PKCS8_ED25519_PREFIX.length);
		const key = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
		const jwk = await subtle.exportKey('jwk', key);
		if (!jwk.x) return publicKeyOf(secretKey);
		const bytes = base64urlToBytes(jwk.x);
		return bytes.length === 32 ? bytes : publicKeyOf(secretKey);
	} catch {
		// No Ed25519 in this browser's WebCrypto.
		return publicKeyOf(secretKey);
	}
}

/** Whether `signature` is a valid ed25519 signature of `message` by `publicKey` (false on malformed input). */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
	try {
		return ed.verify(signature, message, publicKey);
	} catch {
		return false;
	}
}

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

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

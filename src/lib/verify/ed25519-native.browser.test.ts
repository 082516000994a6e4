// The identity's public key comes from WebCrypto where Chromium has Ed25519: it must be exactly
// noble's RFC 8032 public key for every secret key, or an account would be lost.
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, publicKeyOfNative, randomSecretKey } from './ed25519';

describe('publicKeyOfNative', () => {
	it('agrees with noble on 200 random secret keys and on the RFC 8032 test vector', async () => {
		// RFC 8032 §7.1, test 1.
		const seed = Uint8Array.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'.match(/../g) ?? [], (h) => parseInt(h, 16));
		expect(bytesToHex(await publicKeyOfNative(seed))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
		for (let i = 0; i < 200; i++) {
			const sk = randomSecretKey();
			expect(bytesToHex(await publicKeyOfNative(sk))).toBe(bytesToHex(publicKeyOf(sk)));
		}
	});

	it('uses WebCrypto in this Chromium (else the first-visit saving is not real)', async () => {
		const key = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
		expect((key as CryptoKeyPair).publicKey.algorithm.name).toBe('Ed25519');
	});
});

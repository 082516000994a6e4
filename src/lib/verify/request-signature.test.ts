import * as ed from '@noble/ed25519';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/samples/signature-vectors.json';
import { AUTH_HEADERS, NonceHexSchema } from '../protocol/auth.js';
import { canonicalRequestBytes } from './canonical.js';
import { signRequest } from './request-signature.js';
import { sha256Hex } from './sha256.js';
import * as v from 'valibot';

function keyFor(name: string) {
	const key = vectors.keys.find((k) => k.name === name);
	if (!key) throw new Error(`no key ${name}`);
	return key;
}

/** What noble says about a request as the relay would reconstruct it from the wire. */
function nobleVerifies(r: { origin: string; method: string; path: string; bodyHex: string; headers: Record<string, string> }) {
	const h = (name: string) => r.headers[name] ?? '';
	const message = canonicalRequestBytes({
		origin: r.origin,
		method: r.method,
		path: r.path,
		bodySha256: sha256Hex(hexToBytes(r.bodyHex)),
		timestamp: Number(h(AUTH_HEADERS.timestamp)),
		nonce: h(AUTH_HEADERS.nonce)
	});
	return ed.verifyAsync(hexToBytes(h(AUTH_HEADERS.signature)), message, hexToBytes(h(AUTH_HEADERS.key)));
}

describe('signRequest (noble)', () => {
	it('derives the RFC 8032 public key from its secret key', async () => {
		for (const k of vectors.keys) expect(Buffer.from(await ed.getPublicKeyAsync(hexToBytes(k.secretKeyHex))).toString('hex')).toBe(k.publicKeyHex);
		expect(keyFor('rfc8032-test-1').publicKeyHex).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
	});

	it('reproduces every vector signature exactly', async () => {
		for (const r of vectors.requests) {
			const key = keyFor(r.keyName);
			const headers = await signRequest({
				secretKey: hexToBytes(key.secretKeyHex),
				publicKeyHex: key.publicKeyHex,
				origin: r.origin,
				method: r.method,
				path: r.path,
				body: hexToBytes(r.bodyHex),
				now: r.timestamp,
				nonce: r.nonce
			});
			expect(headers, r.name).toEqual(r.headers);
			expect(await nobleVerifies(r), r.name).toBe(true);
		}
	});

	it('rejects every negative vector', async () => {
		for (const r of vectors.negativeRequests) expect(await nobleVerifies(r), r.name).toBe(false);
	});

	it('defaults to the current time and a fresh random nonce', async () => {
		const key = keyFor('alice');
		const sign = () =>
			signRequest({ secretKey: hexToBytes(key.secretKeyHex), publicKeyHex: key.publicKeyHex, origin: 'http://h', method: 'GET', path: '/', body: new Uint8Array(0) });
		const before = Date.now();
		const [a, b] = await Promise.all([sign(), sign()]);
		const stamp = Number(a[AUTH_HEADERS.timestamp]);
		expect(stamp).toBeGreaterThanOrEqual(before);
		expect(stamp).toBeLessThanOrEqual(Date.now());
		expect(v.is(NonceHexSchema, a[AUTH_HEADERS.nonce])).toBe(true);
		expect(a[AUTH_HEADERS.nonce]).not.toBe(b[AUTH_HEADERS.nonce]);
	});
});

// Runs in real Chromium: noble there must produce the same bytes as the vectors (which the
// relay's node:crypto verifier accepts), and the identity must survive in IndexedDB.
import * as ed from '@noble/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { deleteDB, openDB } from 'idb';
import { beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../../test/samples/signature-vectors.json';
import type { UnsignedReceipt } from '../protocol/auth.js';
import { canonicalRequestText } from './canonical.js';
import { loadOrCreateIdentity } from './identity.js';
import { encodeReceiptHeader, signReceipt } from './receipt.js';
import { signRequest } from './request-signature.js';
import { sha256Hex } from './sha256.js';

function secretKeyOf(name: string): Uint8Array {
	const key = vectors.keys.find((k) => k.name === name);
	if (!key) throw new Error(`no key ${name}`);
	return hexToBytes(key.secretKeyHex);
}

describe('signature vectors in the browser', () => {
	it('really runs in a browser', () => {
		expect(typeof window).toBe('object');
		expect(navigator.userAgent).toMatch(/Chrome/);
	});

	it('reproduces every request vector exactly', async () => {
		for (const r of vectors.requests) {
			const body = hexToBytes(r.bodyHex);
			expect(sha256Hex(body), r.name).toBe(r.bodySha256);
			expect(canonicalRequestText({ ...r, bodySha256: r.bodySha256 }), r.name).toBe(r.canonicalText);
			const headers = await signRequest({
				secretKey: secretKeyOf(r.keyName),
				publicKeyHex: r.headers['x-mycelia-key'],
				origin: r.origin,
				method: r.method,
				path: r.path,
				body,
				now: r.timestamp,
				nonce: r.nonce
			});
			expect(headers, r.name).toEqual(r.headers);
		}
	});

	it('reproduces every receipt vector exactly', async () => {
		for (const r of vectors.receipts) {
			const { signature: _s, ...rest } = r.receipt;
			const unsigned: UnsignedReceipt = { ...rest, v: 1 };
			const signed = await signReceipt(unsigned, secretKeyOf(r.keyName));
			expect(signed, r.name).toEqual(r.receipt);
			expect(encodeReceiptHeader(signed), r.name).toBe(r.header);
		}
	});
});

describe('identity in IndexedDB', () => {
	beforeAll(async () => {
		// Start as a first run, with another part of the app already owning a store at version 3.
		await deleteDB('mycelia');
		const other = await openDB('mycelia', 3, { upgrade: (db) => void db.createObjectStore('someone-else') });
		other.close();
	});

	it('makes one key for concurrent first calls and returns it again later', async () => {
		const [a, b, c] = await Promise.all([loadOrCreateIdentity(), loadOrCreateIdentity(), loadOrCreateIdentity()]);
		expect(a.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
		expect(b).toBe(a);
		expect(c).toBe(a);
		expect(await loadOrCreateIdentity()).toBe(a);
		expect(bytesToHex(await ed.getPublicKeyAsync(a.secretKey))).toBe(a.publicKeyHex);
	});

	it('keeps the other store and the same key across a fresh module load', async () => {
		const first = await loadOrCreateIdentity();
		// A query string makes Vite serve a second, un-memoised copy of the module, as a reload would.
		const freshUrl = './identity.ts?reload';
		const fresh = (await import(/* @vite-ignore */ freshUrl)) as typeof import('./identity.js');
		const again = await fresh.loadOrCreateIdentity();
		expect(again).not.toBe(first);
		expect(again.publicKeyHex).toBe(first.publicKeyHex);

		const db = await openDB('mycelia');
		expect([...db.objectStoreNames].sort()).toEqual(['identity', 'someone-else']);
		expect(db.version).toBe(4);
		const stored: unknown = await db.get('identity', 'default');
		db.close();
		expect(stored).toMatchObject({ v: 1, secretKey: first.secretKey });
	});
});

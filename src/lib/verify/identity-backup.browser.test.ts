// Runs in real Chromium: WebCrypto's PBKDF2 and AES-GCM, and the key replaced in IndexedDB.
import { bytesToHex } from '@noble/hashes/utils.js';
import { deleteDB, openDB } from 'idb';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url } from './base64url.js';
import { publicKeyOf, randomSecretKey } from './ed25519.js';
import { BACKUP_FORMAT, exportIdentity, IdentityBackupError, importIdentity, PBKDF2_ITERATIONS_MIN, readBackup } from './identity-backup.js';
import { loadOrCreateIdentity, replaceIdentity } from './identity.js';

const PASS = 'correct horse battery staple';

/** The error an async call throws (fails the test when it does not throw). */
async function failure(p: Promise<unknown>): Promise<IdentityBackupError> {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(IdentityBackupError);
		return err as IdentityBackupError;
	}
	throw new Error('expected a failure');
}

describe('identity backup', () => {
	const secretKey = randomSecretKey();
	const publicKeyHex = bytesToHex(publicKeyOf(secretKey));
	let file: string;
	beforeAll(async () => {
		file = await exportIdentity(secretKey, PASS);
	});

	it('round-trips, and records the format, KDF, salt, IV and the public key in clear', async () => {
		expect(Array.from(await importIdentity(file, PASS))).toEqual(Array.from(secretKey));
		const json = JSON.parse(file) as Record<string, unknown>;
		expect(json).toMatchObject({ format: BACKUP_FORMAT, version: 1, publicKey: publicKeyHex, kdf: { name: 'PBKDF2', hash: 'SHA-256' }, cipher: { name: 'AES-GCM', length: 256 } });
		const backup = readBackup(file);
		expect(backup.kdf.iterations).toBeGreaterThanOrEqual(310_000);
		expect(base64urlToBytes(backup.kdf.salt)).toHaveLength(16);
		expect(base64urlToBytes(backup.cipher.iv)).toHaveLength(12);
		// The secret is nowhere in clear.
		expect(file).not.toContain(bytesToHex(secretKey));
		expect(file).not.toContain(bytesToBase64url(secretKey));
	});

	it('uses a fresh salt and IV for every export', async () => {
		const again = readBackup(await exportIdentity(secretKey, PASS));
		const first = readBackup(file);
		expect(again.kdf.salt).not.toBe(first.kdf.salt);
		expect(again.cipher.iv).not.toBe(first.cipher.iv);
		expect(again.ciphertext).not.toBe(first.ciphertext);
	});

	it('treats the same passphrase in another Unicode form as the same', async () => {
		const composed = await exportIdentity(secretKey, 'caf\u00e9 au lait');
		expect(Array.from(await importIdentity(composed, 'cafe\u0301 au lait'))).toEqual(Array.from(secretKey));
	});

	it('refuses a wrong passphrase', async () => {
		expect((await failure(importIdentity(file, `${PASS}!`))).code).toBe('wrong_passphrase');
		expect((await failure(importIdentity(file, ''))).code).toBe('wrong_passphrase');
	});

	it('refuses an altered ciphertext, IV, salt or public key', async () => {
		const backup = readBackup(file);
		const flip = (b64: string) => {
			const bytes = base64urlToBytes(b64);
			bytes[3] = (bytes[3] ?? 0) ^ 0x01;
			return bytesToBase64url(bytes);
		};
		const other = bytesToHex(publicKeyOf(randomSecretKey()));
		for (const altered of [
			{ ...backup, ciphertext: flip(backup.ciphertext) },
			{ ...backup, cipher: { ...backup.cipher, iv: flip(backup.cipher.iv) } },
			{ ...backup, kdf: { ...backup.kdf, salt: flip(backup.kdf.salt) } },
			{ ...backup, publicKey: other }
		]) {
			expect((await failure(importIdentity(JSON.stringify(altered), PASS))).code).toBe('wrong_passphrase');
		}
	});

	it('says clearly what is wrong with a file that is not a backup', async () => {
		const backup = JSON.parse(file) as Record<string, unknown>;
		const cases: [string, string, RegExp][] = [
			['not json', 'malformed', /not JSON/],
			['{"hello": 1}', 'malformed', /not a Mycelia key backup/],
			['[]', 'malformed', /not a Mycelia key backup/],
			[JSON.stringify({ ...backup, version: 2 }), 'unsupported', /version 2/],
			[JSON.stringify({ ...backup, ciphertext: 'abc' }), 'malformed', /damaged \(ciphertext/],
			[JSON.stringify({ ...backup, ciphertext: undefined }), 'malformed', /damaged/],
			[JSON.stringify({ ...backup, publicKey: 'xyz' }), 'malformed', /damaged \(publicKey/],
			[JSON.stringify({ ...backup, kdf: { ...(backup.kdf as object), iterations: PBKDF2_ITERATIONS_MIN - 1 } }), 'malformed', /iterations/],
			[JSON.stringify({ ...backup, kdf: { ...(backup.kdf as object), iterations: 1e12 } }), 'malformed', /iterations/],
			[JSON.stringify({ ...backup, cipher: { name: 'AES-CBC', length: 256, iv: 'x' } }), 'malformed', /cipher/],
			[' '.repeat(5_000), 'malformed', /too large/]
		];
		for (const [text, code, message] of cases) {
			const err = await failure(importIdentity(text, PASS));
			expect(err.code, text.slice(0, 40)).toBe(code);
			expect(err.message, text.slice(0, 40)).toMatch(message);
		}
	});

	it('refuses to export with a short passphrase', async () => {
		expect((await failure(exportIdentity(secretKey, 'short'))).code).toBe('weak_passphrase');
	});
});

describe('replacing the key in IndexedDB', () => {
	beforeAll(async () => {
		await deleteDB('mycelia');
	});

	it('replaces the key only when the stored one is the one confirmed', async () => {
		const before = await loadOrCreateIdentity();
		const incoming = randomSecretKey();
		const incomingHex = bytesToHex(publicKeyOf(incoming));
		// Confirmed against a key that is no longer (or never was) stored: nothing changes.
		await expect(replaceIdentity(incoming, bytesToHex(publicKeyOf(randomSecretKey())))).rejects.toThrow(/nothing was replaced/);
		await expect(replaceIdentity(incoming, null)).rejects.toThrow(/nothing was replaced/);
		expect((await loadOrCreateIdentity()).publicKeyHex).toBe(before.publicKeyHex);

		const replaced = await replaceIdentity(incoming, before.publicKeyHex);
		expect(replaced.publicKeyHex).toBe(incomingHex);
		// This page's next load, and a fresh copy of the module (as after a reload), read the new key.
		expect((await loadOrCreateIdentity()).publicKeyHex).toBe(incomingHex);
		const freshUrl = './identity.ts?after-replace';
		const fresh = (await import(/* @vite-ignore */ freshUrl)) as typeof import('./identity.js');
		expect((await fresh.loadOrCreateIdentity()).publicKeyHex).toBe(incomingHex);
		const db = await openDB('mycelia');
		const stored = (await db.get('identity', 'default')) as { v: number; secretKey: Uint8Array };
		db.close();
		expect(stored.v).toBe(1);
		expect(Array.from(stored.secretKey)).toEqual(Array.from(incoming));
	});

	it('stores a key on a browser that has none yet', async () => {
		await deleteDB('mycelia');
		const incoming = randomSecretKey();
		const replaced = await replaceIdentity(incoming, null);
		expect((await loadOrCreateIdentity()).publicKeyHex).toBe(replaced.publicKeyHex);
	});
});

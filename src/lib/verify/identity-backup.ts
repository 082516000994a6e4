// A passphrase-encrypted backup of this browser's ed25519 secret key, to move the account (its
// credits and reputation) to another device. WebCrypto only: PBKDF2-SHA-256 → AES-GCM-256.
// The public key travels in clear so a person can see whose key a file holds before typing the
// passphrase; it is bound as additional data and checked against the decrypted key, so a file
// cannot show one key and hold another.
import { bytesToHex } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { PublicKeyHexSchema } from '../protocol/auth.js';
import { base64urlToBytes, bytesToBase64url } from './base64url.js';
import { publicKeyOf } from './ed25519.js';

export const BACKUP_FORMAT = 'mycelia-identity-backup';
const BACKUP_VERSION = 1;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; about a second on a phone, once per export or import. */
const PBKDF2_ITERATIONS = 600_000;
/** Files asking for fewer are refused (too cheap to guess), or for more (a file could hang the tab). */
export const PBKDF2_ITERATIONS_MIN = 310_000;
const PBKDF2_ITERATIONS_MAX = 10_000_000;
export const PASSPHRASE_CHARS_MIN = 8;
/** A backup is a few hundred bytes; anything much larger is not one. */
export const BACKUP_CHARS_MAX = 4_096;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const SECRET_KEY_BYTES = 32;
/** AES-GCM appends a 16-byte tag. */
const CIPHERTEXT_BYTES = SECRET_KEY_BYTES + 16;

export type BackupErrorCode = 'unavailable' | 'malformed' | 'unsupported' | 'wrong_passphrase' | 'weak_passphrase';

/** Why a backup could not be made or read, in words a person can act on. */
export class IdentityBackupError extends Error {
	readonly code: BackupErrorCode;
	constructor(code: BackupErrorCode, message: string) {
		super(message);
		this.name = 'IdentityBackupError';
		this.code = code;
	}
}

const base64urlOf = (bytes: number) =>
	v.pipe(
		v.string(),
		v.regex(/^[A-Za-z0-9_-]+$/, 'base64url'),
		v.check((s) => decodedLength(s) === bytes, `${bytes} bytes of base64url`)
	);

/** Bytes a base64url string without padding decodes to. */
const decodedLength = (s: string): number => Math.floor((s.length * 3) / 4);

const IdentityBackupSchema = v.object({
	format: v.literal(BACKUP_FORMAT),
	version: v.number(),
	publicKey: PublicKeyHexSchema,
	createdAt: v.pipe(v.string(), v.maxLength(40)),
	kdf: v.object({
		name: v.literal('PBKDF2'),
		hash: v.literal('SHA-256'),
		iterations: v.pipe(v.number(), v.safeInteger(), v.minValue(PBKDF2_ITERATIONS_MIN), v.maxValue(PBKDF2_ITERATIONS_MAX)),
		salt: base64urlOf(SALT_BYTES)
	}),
	cipher: v.object({ name: v.literal('AES-GCM'), length: v.literal(256), iv: base64urlOf(IV_BYTES) }),
	ciphertext: base64urlOf(CIPHERTEXT_BYTES)
});
export type IdentityBackup = v.InferOutput<typeof IdentityBackupSchema>;

function subtle(): SubtleCrypto {
	const s = globalThis.crypto?.subtle;
	if (!s) {
		throw new IdentityBackupError(
			'unavailable',
			'This browser only offers encryption on secure pages: open the app over https or on localhost to back up or restore a key.'
		);
	}
	return s;
}

/** The header the ciphertext is bound to: changing the key shown, or the format, breaks decryption. */
const additionalData = (publicKeyHex: string): Uint8Array<ArrayBuffer> =>
	new TextEncoder().encode(`${BACKUP_FORMAT}:v${BACKUP_VERSION}:${publicKeyHex}`);

/** The same passphrase typed on two keyboards may differ in Unicode form; NFC makes them one. */
const passphraseBytes = (passphrase: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(passphrase.normalize('NFC'));

async function deriveKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
	const s = subtle();
	const material = await s.importKey('raw', passphraseBytes(passphrase), 'PBKDF2', false, ['deriveKey']);
	return s.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, { name: 'AES-GCM', length: 256 }, false, [usage]);
}

const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** The backup file's text (pretty JSON) for a 32-byte ed25519 secret key. */
export async function exportIdentity(secretKey: Uint8Array, passphrase: string): Promise<string> {
	if (secretKey.length !== SECRET_KEY_BYTES) throw new Error(`an ed25519 secret key has ${SECRET_KEY_BYTES} bytes, not ${secretKey.length}`);
	if ([...passphrase.normalize('NFC')].length < PASSPHRASE_CHARS_MIN) {
		throw new IdentityBackupError('weak_passphrase', `Choose a passphrase of at least ${PASSPHRASE_CHARS_MIN} characters.`);
	}
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const publicKey = bytesToHex(publicKeyOf(secretKey));
	const key = await deriveKey(passphrase, salt, PBKDF2_ITERATIONS, 'encrypt');
	const ciphertext = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(publicKey) }, key, copy(secretKey)));
	const backup: IdentityBackup = {
		format: BACKUP_FORMAT,
		version: BACKUP_VERSION,
		publicKey,
		createdAt: new Date().toISOString(),
		kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS, salt: bytesToBase64url(salt) },
		cipher: { name: 'AES-GCM', length: 256, iv: bytesToBase64url(iv) },
		ciphertext: bytesToBase64url(ciphertext)
	};
	return `${JSON.stringify(backup, null, '\t')}\n`;
}

/** Parses and validates a backup file without decrypting it (to show whose key it holds). */
export function readBackup(text: string): IdentityBackup {
	if (text.length > BACKUP_CHARS_MAX) throw new IdentityBackupError('malformed', 'This file is too large to be a Mycelia key backup.');
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new IdentityBackupError('malformed', 'This file is not a Mycelia key backup (it is not JSON).');
	}
	if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== BACKUP_FORMAT) {
		throw new IdentityBackupError('malformed', 'This file is not a Mycelia key backup.');
	}
	const version = (json as { version?: unknown }).version;
	if (version !== BACKUP_VERSION) {
		throw new IdentityBackupError('unsupported', `This backup has format version ${String(version)}; this app reads version ${BACKUP_VERSION}.`);
	}
	const parsed = v.safeParse(IdentityBackupSchema, json);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const where = issue ? v.getDotPath(issue) : null;
		throw new IdentityBackupError('malformed', `This key backup is damaged${where ? ` (${where}: ${issue?.message})` : ''}.`);
	}
	return parsed.output;
}

/** The 32-byte secret key inside a backup file; throws IdentityBackupError for anything wrong. */
export async function importIdentity(text: string, passphrase: string): Promise<Uint8Array> {
	const backup = readBackup(text);
	const key = await deriveKey(passphrase, copy(base64urlToBytes(backup.kdf.salt)), backup.kdf.iterations, 'decrypt');
	let secretKey: Uint8Array;
	try {
		const iv = copy(base64urlToBytes(backup.cipher.iv));
		const plain = await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: additionalData(backup.publicKey) }, key, copy(base64urlToBytes(backup.ciphertext)));
		secretKey = new Uint8Array(plain);
	} catch {
		// AES-GCM cannot tell a wrong passphrase from an altered file: both fail the tag.
		throw new IdentityBackupError('wrong_passphrase', 'Wrong passphrase, or the file was altered.');
	}
	// The tag binds the public key shown, so this only fails for a file made wrongly on purpose.
	if (secretKey.length !== SECRET_KEY_BYTES || bytesToHex(publicKeyOf(secretKey)) !== backup.publicKey) {
		throw new IdentityBackupError('malformed', 'This backup holds a different key than the one it shows.');
	}
	return secretKey;
}

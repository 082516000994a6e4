// A program's identity on disk (Node only): the ed25519 secret key as JSON, readable by its owner
// only, so a script or a server keeps one account across runs. `exportKeyFile` / `importBackup`
// speak the browser's passphrase-encrypted backup format (verify/identity-backup.ts), so a key
// moves between the app's My contribution page and the CLI in both directions.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { PublicKeyHexSchema } from '../protocol/auth.js';
import { publicKeyOf, randomSecretKey } from '../verify/ed25519.js';
import { exportIdentity, importIdentity } from '../verify/identity-backup.js';

const KEY_FILE_FORMAT = 'mycelia-key';
const KEY_FILE_VERSION = 1;
/** A key file is about 200 bytes; a larger file is not one (and is not read whole). */
const KEY_FILE_BYTES_MAX = 4_096;

const KeyFileSchema = v.strictObject({
	format: v.literal(KEY_FILE_FORMAT),
	version: v.literal(KEY_FILE_VERSION),
	publicKey: PublicKeyHexSchema,
	secretKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters')),
	createdAt: v.pipe(v.string(), v.maxLength(40))
});

/** An identity a program signs with. */
export interface Identity {
	publicKeyHex: string;
	secretKey: Uint8Array;
}

/** Why a key file could not be read or written, in words a person can act on. */
export class KeyFileError extends Error {
	/** `missing`: there is no file at the path (a first run may create one). */
	constructor(
		message: string,
		readonly missing = false
	) {
		super(message);
		this.name = 'KeyFileError';
	}
}

export function identityOf(secretKey: Uint8Array): Identity {
	return { publicKeyHex: bytesToHex(publicKeyOf(secretKey)), secretKey };
}

export const newIdentity = (): Identity => identityOf(randomSecretKey());

/** Writes `identity` to `path` (mode 0600); refuses to replace an existing file unless `overwrite`. */
export async function saveKeyFile(path: string, identity: Identity, opts: { overwrite?: boolean } = {}): Promise<void> {
	const { writeFile, mkdir } = await import('node:fs/promises');
	const { dirname } = await import('node:path');
	const body = { format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION, publicKey: identity.publicKeyHex, secretKey: bytesToHex(identity.secretKey), createdAt: new Date().toISOString() };
	await mkdir(dirname(path), { recursive: true, mode: 0o700 });
	try {
		await writeFile(path, `${JSON.stringify(body, null, '\t')}\n`, { mode: 0o600, flag: opts.overwrite ? 'w' : 'wx' });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileError(`${path} already exists; it holds a key (an account with credits). Use another path, or remove it first if you mean to.`);
		throw new KeyFileError(`could not write ${path}: ${(err as Error).message}`);
	}
}

/** Reads and checks a key file: the public key must be the secret key's. */
export async function loadKeyFile(path: string): Promise<Identity> {
	const { open } = await import('node:fs/promises');
	let text: string;
	try {
		const file = await open(path, 'r');
		try {
			const buf = Buffer.alloc(KEY_FILE_BYTES_MAX + 1);
			const { bytesRead } = await file.read(buf, 0, buf.length, 0);
			if (bytesRead > KEY_FILE_BYTES_MAX) throw new KeyFileError(`${path} is larger than a key file (over ${KEY_FILE_BYTES_MAX} bytes)`);
			text = buf.subarray(0, bytesRead).toString('utf8');
		} finally {
			await file.close();
		}
	} catch (err) {
		if (err instanceof KeyFileError) throw err;
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KeyFileError(`no key file at ${path}; create one with \`npx mycelia key create\``, true);
		throw new KeyFileError(`could not read ${path}: ${(err as Error).message}`);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new KeyFileError(`${path} is not a Mycelia key file (not JSON)`);
	}
	const parsed = v.safeParse(KeyFileSchema, json);
	if (!parsed.success) throw new KeyFileError(`${path} is not a Mycelia key file: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? 'file'} ${i.message}`).join('; ')}`);
	const identity = identityOf(hexToBytes(parsed.output.secretKey));
	if (identity.publicKeyHex !== parsed.output.publicKey) throw new KeyFileError(`${path} names key ${parsed.output.publicKey.slice(0, 12)}… but holds another one; the file was altered`);
	return identity;
}

/** The browser's backup format, encrypted with `passphrase`: import it on My contribution. */
export const exportBackup = (identity: Identity, passphrase: string): Promise<string> => exportIdentity(identity.secretKey, passphrase);

/** A backup exported from the app (or by `exportBackup`), decrypted with its passphrase. */
export async function importBackup(text: string, passphrase: string): Promise<Identity> {
	return identityOf(await importIdentity(text, passphrase));
}

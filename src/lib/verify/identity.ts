// This browser's ed25519 key pair: made once, kept in IndexedDB, its public key is the account.
import { bytesToHex } from '@noble/hashes/utils.js';
import { openDB, type IDBPDatabase } from 'idb';
import { publicKeyOf, publicKeyOfNative, randomSecretKey } from './ed25519.js';

export interface Identity {
	publicKeyHex: string;
	secretKey: Uint8Array;
}

const DB_NAME = 'mycelia';
const STORE = 'identity';
const RECORD_KEY = 'default';

interface StoredIdentity {
	v: 1;
	secretKey: Uint8Array;
	createdAt: number;
}

/**
 * Opens the shared `mycelia` database and makes sure the `identity` store exists. Other parts
 * of the app may own other stores in the same database, so this never assumes a fixed version:
 * it upgrades by one only when the store is missing.
 */
async function openIdentityDb(): Promise<IDBPDatabase> {
	const db = await openDB(DB_NAME);
	if (db.objectStoreNames.contains(STORE)) return db;
	const version = db.version + 1;
	db.close();
	return openDB(DB_NAME, version, {
		upgrade(upgrading) {
			if (!upgrading.objectStoreNames.contains(STORE)) upgrading.createObjectStore(STORE);
		}
	});
}

function isStoredIdentity(value: unknown): value is StoredIdentity {
	if (typeof value !== 'object' || value === null) return false;
	const r = value as Partial<StoredIdentity>;
	return r.v === 1 && r.secretKey instanceof Uint8Array && r.secretKey.length === 32;
}

async function loadOrCreate(): Promise<Identity> {
	const db = await openIdentityDb();
	try {
		// Read-or-insert in one readwrite transaction: IndexedDB serialises these across tabs,
		// so two tabs opening at once still end up with one key. The key is made synchronously
		// (no foreign await) so the transaction cannot auto-commit in between.
		const tx = db.transaction(STORE, 'readwrite');
		const existing: unknown = await tx.store.get(RECORD_KEY);
		let secretKey: Uint8Array;
		if (existing === undefined) {
			secretKey = randomSecretKey();
			const record: StoredIdentity = { v: 1, secretKey, createdAt: Date.now() };
			await tx.store.add(record, RECORD_KEY);
		} else if (isStoredIdentity(existing)) {
			secretKey = existing.secretKey;
		} else {
			// Never silently replace: that would throw away the account and its credits.
			throw new Error(`IndexedDB ${DB_NAME}/${STORE}/${RECORD_KEY} holds something that is not an identity`);
		}
		await tx.done;
		return { secretKey, publicKeyHex: bytesToHex(await publicKeyOfNative(secretKey)) };
	} finally {
		db.close();
	}
}

let pending: Promise<Identity> | undefined;

/** The page's identity; concurrent first calls share one promise. A failure is not memoised. */
export function loadOrCreateIdentity(): Promise<Identity> {
	pending ??= loadOrCreate().catch((error: unknown) => {
		pending = undefined;
		throw error;
	});
	return pending;
}

/**
 * Replaces the stored key with `secretKey` (a restored backup), but only if the stored key is
 * still `expectedPublicKeyHex` (null: none stored yet), the one the person saw and agreed to
 * replace: another tab may have changed it meanwhile. Pages already open keep the old key in
 * memory until they reload.
 */
export async function replaceIdentity(secretKey: Uint8Array, expectedPublicKeyHex: string | null): Promise<Identity> {
	if (secretKey.length !== 32) throw new Error(`an ed25519 secret key has 32 bytes, not ${secretKey.length}`);
	const identity = { secretKey: new Uint8Array(secretKey), publicKeyHex: bytesToHex(publicKeyOf(secretKey)) };
	const db = await openIdentityDb();
	try {
		const tx = db.transaction(STORE, 'readwrite');
		const existing: unknown = await tx.store.get(RECORD_KEY);
		const current = existing === undefined ? null : isStoredIdentity(existing) ? bytesToHex(publicKeyOf(existing.secretKey)) : undefined;
		if (current !== expectedPublicKeyHex) {
			await tx.done;
			throw new Error(
				current === undefined
					? `IndexedDB ${DB_NAME}/${STORE}/${RECORD_KEY} holds something that is not an identity`
					: "this browser's key changed since you confirmed (another tab?): nothing was replaced"
			);
		}
		const record: StoredIdentity = { v: 1, secretKey: identity.secretKey, createdAt: Date.now() };
		await tx.store.put(record, RECORD_KEY);
		await tx.done;
	} finally {
		db.close();
	}
	// This page's next load reads the new key.
	pending = undefined;
	return identity;
}

import type { Sql } from '../store/db.js';

/**
 * Content-addressed result bytes. Results are written here before the transaction that
 * references them commits, so a committed result always has its bytes; a crash in between
 * leaves an unreferenced blob, which is harmless.
 */
export interface BlobStore {
	/** Stores bytes under their hashes; `tx` is the caller's transaction (used by the database store). */
	putMany(tx: Sql, blobs: readonly { sha256: string; bytes: Uint8Array }[]): Promise<void>;
	get(sha256: string): Promise<Uint8Array | null>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

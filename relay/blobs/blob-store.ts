import type { Sql } from '../store/db.js';

export interface Blob {
	sha256: string;
	bytes: Uint8Array;
}

/**
 * Content-addressed result bytes. Results are written here before the transaction that
 * references them commits, so a committed result always has its bytes; a crash in between
 * leaves an unreferenced blob, which is harmless.
 */
export interface BlobStore {
	/**
	 * Stores bytes before the transaction that will reference them begins (a store outside the
	 * database: its I/O must never run while that transaction holds the database). A no-op for
	 * the database store.
	 */
	stage(blobs: readonly Blob[]): Promise<void>;
	/** Stores bytes inside the referencing transaction (the database store); a no-op for files. */
	putMany(tx: Sql, blobs: readonly Blob[]): Promise<void>;
	get(sha256: string): Promise<Uint8Array | null>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

import type { Sql } from '../store/db.js';

interface Blob {
	sha256: string;
	bytes: Uint8Array;
}

/**
 * Content-addressed result bytes. Results are written here before the transaction that
 * references them commits, so a committed result always has its bytes. Only uploads that passed
 * every check are staged; what a transaction then did not record is removed again, and a crash
 * in between leaves a blob no result names, swept when the store opens (fs-blob-store.ts).
 */
export interface BlobStore {
	/** True when `stage` writes (outside the database): the caller stages only storable uploads. */
	readonly stagesOutsideDatabase: boolean;
	/**
	 * Stores bytes before the transaction that will reference them begins (a store outside the
	 * database: its I/O must never run while that transaction holds the database). Answers with
	 * the hashes it newly wrote, for `unstage`. A no-op for the database store.
	 */
	stage(blobs: readonly Blob[]): Promise<string[]>;
	/** Removes blobs `stage` wrote that no committed result references after all. */
	unstage(sha256s: readonly string[]): Promise<void>;
	/** Stores bytes inside the referencing transaction (the database store); a no-op for files. */
	putMany(tx: Sql, blobs: readonly Blob[]): Promise<void>;
	get(sha256: string): Promise<Uint8Array | null>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

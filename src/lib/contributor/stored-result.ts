// A finished result as a durable store keeps it (the browser's IndexedDB work store, an
// in-memory or on-disk one in Node): everything needed to commit, reveal and answer a dispute
// after a reload or a crash.
import type { Lease } from '../protocol/leases.js';

export interface StoredResult {
	lease: Lease;
	bytes: Uint8Array;
	receiptHeader: string;
	salt: string;
	commitment: string;
	label: string;
	/** Set once the relay accepted the commitment. */
	committed: boolean;
	/** The lease's expiry as the relay last told it. */
	expiresAt: number;
	/** A bisect result's per-step states (see BisectTrace), or null. */
	trace: { packed: Uint8Array; stateBytes: number } | null;
}

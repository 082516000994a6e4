import type { BlobStore } from './blobs/blob-store.js';
import type { NonceCache } from './auth/nonce-cache.js';
import type { RelayConfig } from './config.js';
import type { JobEvents } from './events/job-events.js';
import type { Db } from './store/db.js';
import type { Maintenance } from './store/maintenance.js';
import type { MeshMailboxes } from './mesh/mailboxes.js';
import type { SubmissionBatcher } from './tasks/submission-batcher.js';
import type { Presence } from './tasks/presence.js';
import type { RelayLimiter } from './limits/relay-limiter.js';
import type { Reconciler } from './ledger/reconciler.js';

/** Everything a handler may touch. Built once in server.ts. */
export interface RelayContext {
	config: RelayConfig;
	db: Db;
	blobs: BlobStore;
	events: JobEvents;
	nonces: NonceCache;
	submissions: SubmissionBatcher;
	maintenance: Maintenance;
	/** Queues between mesh peers that have no direct WebRTC path. */
	mailboxes: MeshMailboxes;
	/** Keys contributing right now (status lines only). */
	presence: Presence;
	/** Background reconciliation of the books; health reads its latest report. */
	reconciler: Reconciler;
	startedAt: number;
	/** Request limits per address and key (relay/limits/). */
	limiter: RelayLimiter;
}

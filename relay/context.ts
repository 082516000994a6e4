import type { NonceCache } from './auth/nonce-cache.js';
import type { RelayConfig } from './config.js';
import type { JobEvents } from './events/job-events.js';
import type { Db } from './store/db.js';

/** Everything a handler may touch. Built once in server.ts. */
export interface RelayContext {
	config: RelayConfig;
	db: Db;
	events: JobEvents;
	nonces: NonceCache;
	startedAt: number;
}

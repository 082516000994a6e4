import type { RelayConfig } from '../config.js';
import { startRelay, type Relay } from '../server.js';

/** A real relay on a free loopback port with in-memory PGlite, for tests. */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<Relay> {
	return startRelay({
		host: '127.0.0.1',
		port: 0,
		dataDir: null,
		databaseUrl: process.env.TEST_DATABASE_URL ?? null,
		publicOrigin: null,
		operatorKey: null,
		feeBps: 500,
		demoGrantMicro: 50_000_000,
		leaseMs: 60_000,
		testHooks: false,
		staticDir: null,
		...overrides
	});
}

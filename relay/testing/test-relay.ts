import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { KEY_LEASES_MAX, KEY_LEASES_NEW, NETWORK_LEASES_MAX, WAITING_MS } from '../../src/lib/protocol/limits.js';
import type { RelayConfig } from '../config.js';
import { DEFAULT_REQUEST_LIMITS } from '../limits/request-limits.js';
import { startRelay, type Relay } from '../server.js';

/**
 * With TEST_DATABASE_URL set (the Postgres suite), each test relay gets a fresh database on that
 * server, so the same tests run against Postgres as against PGlite.
 */
async function adminQuery(adminUrl: string, sql: string): Promise<void> {
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(sql);
	} finally {
		await admin.end();
	}
}

/** A new, empty database on the server of `adminUrl` (which may create databases), and how to drop it. */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `mycelia_test_${randomBytes(6).toString('hex')}`;
	await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return { url: url.toString(), drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name}`) };
}

/** A real relay on a free loopback port: in-memory PGlite, or a fresh Postgres database. */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<Relay> {
	const adminUrl = process.env.TEST_DATABASE_URL;
	const scratch = adminUrl ? await freshPostgresDatabase(adminUrl) : null;
	const relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		dataDir: null,
		databaseUrl: scratch?.url ?? null,
		publicOrigin: null,
		operatorKey: null,
		feeBps: 500,
		demoGrantMicro: 50_000_000,
		leaseMs: 60_000,
		offlineLeaseMs: 3_600_000,
		unstakeDelayMs: 60_000,
		warmupStreak: 10,
		pairingWaitMs: 15_000,
		spotCheckSeed: 'test-seed',
		probationStakeMicro: 1_000_000,
		trustProxy: false,
		disputeRoundMs: 60_000,
		reconcileIntervalMs: 60_000,
		testHooks: false,
		staticDir: null,
		signalSocketsMax: 5_000,
		signalSocketsPerAddressMax: 256,
		limits: DEFAULT_REQUEST_LIMITS,
		keyLeasesNew: KEY_LEASES_NEW,
		keyLeasesMax: KEY_LEASES_MAX,
		networkLeasesMax: NETWORK_LEASES_MAX,
		waitingMs: WAITING_MS,
		...overrides
	});
	if (!scratch) return relay;
	// The scratch database goes once the relay has closed its connections.
	return { ...relay, close: () => relay.close().then(() => scratch.drop()) };
}

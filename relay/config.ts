import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KEY_LEASES_MAX, KEY_LEASES_NEW, NETWORK_LEASES_MAX, WAITING_MS } from '../src/lib/protocol/limits.js';
import { WARMUP_STREAK_DEFAULT } from './trust/policy.js';
import { DEFAULT_REQUEST_LIMITS as LIMITS, type RequestLimits } from './limits/request-limits.js';

export interface RelayConfig {
	host: string;
	port: number;
	/** PGlite data folder; null keeps everything in memory (tests). */
	dataDir: string | null;
	databaseUrl: string | null;
	/** The origin browsers use, bound into every signature. Null: taken from the Host header. */
	publicOrigin: string | null;
	operatorKey: string | null;
	feeBps: number;
	demoGrantMicro: number;
	leaseMs: number;
	/** How long a prefetched lease lasts: a device may compute it offline and upload it late. */
	offlineLeaseMs: number;
	/** How long unstaked credits stay slashable before they return to the balance. */
	unstakeDelayMs: number;
	/** Consecutive valid results before a key's work is only spot-checked. */
	warmupStreak: number;
	/**
	 * How long a new key's fresh replica keeps other new keys off its task while proven keys
	 * exist: keys that joined together (a cartel, one actor's many keys) cannot form a quorum
	 * between themselves. After this the task goes to anyone, so a network of new keys still works.
	 */
	pairingWaitMs: number;
	/** Secret behind the spot-check draws; random per start unless set (tests fix it). */
	spotCheckSeed: string;
	/** A key caught cheating may claim work again only while it stakes at least this much. */
	probationStakeMicro: number;
	/** Take the client address from X-Forwarded-For (behind a proxy you run; simulations). */
	trustProxy: boolean;
	/** How long each side of a bisection dispute has to answer one round, and a referee its step. */
	disputeRoundMs: number;
	/** How often the books are reconciled in the background (health shows the latest report). */
	reconcileIntervalMs: number;
	/** Enables test-only fault injection in pages (a lying worker). Never on in production. */
	testHooks: boolean;
	/** Folder with the built PWA; null serves the API only. */
	staticDir: string | null;
	/** PeerJS signalling sockets the relay holds at once. */
	signalSocketsMax: number;
	/** Signalling sockets one client address (an IPv4 address, an IPv6 /64) may hold: a classroom behind one NAT is one address. */
	signalSocketsPerAddressMax: number;
	/** Request rates per address and key, open streams, replay-cache entries, starter grants (relay/limits/). */
	limits: RequestLimits;
	/** Leases a key with no valid results may hold; each valid result in a row adds one, up to keyLeasesMax. */
	keyLeasesNew: number;
	keyLeasesMax: number;
	/** Leases all keys on one public network (/24, /48) may hold at once. */
	networkLeasesMax: number;
	/** How long a key whose claim found no work counts as waiting, so others keep to their fair share; 0 turns fair shares off. */
	waitingMs: number;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
	return n;
}

/** Reads the relay's settings from the environment, refusing anything malformed at startup. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RelayConfig {
	const operatorKey = env.OPERATOR_PUBLIC_KEY?.toLowerCase() || null;
	if (operatorKey !== null && !/^[0-9a-f]{64}$/.test(operatorKey)) {
		throw new Error('OPERATOR_PUBLIC_KEY must be a 32-byte ed25519 public key in hex');
	}
	return {
		host: env.HOST || '127.0.0.1',
		port: intEnv(env, 'PORT', 8787, 0, 65535),
		dataDir: env.DATA_DIR || join(cwd, 'data'),
		databaseUrl: env.DATABASE_URL || null,
		publicOrigin: env.PUBLIC_ORIGIN?.replace(/\/$/, '') || null,
		operatorKey,
		feeBps: intEnv(env, 'FEE_BPS', 500, 0, 5000),
		demoGrantMicro: intEnv(env, 'DEMO_GRANT_MICRO', 50_000_000, 0, 1_000_000_000_000),
		leaseMs: intEnv(env, 'LEASE_MS', 60_000, 1_000, 3_600_000),
		offlineLeaseMs: intEnv(env, 'OFFLINE_LEASE_MS', 4 * 3_600_000, 1_000, 7 * 86_400_000),
		unstakeDelayMs: intEnv(env, 'UNSTAKE_DELAY_MS', 86_400_000, 0, 90 * 86_400_000),
		warmupStreak: intEnv(env, 'TRUST_WARMUP_STREAK', WARMUP_STREAK_DEFAULT, 1, 1_000_000),
		pairingWaitMs: intEnv(env, 'PAIRING_WAIT_MS', 15_000, 0, 3_600_000),
		spotCheckSeed: env.SPOT_CHECK_SEED || randomBytes(16).toString('hex'),
		probationStakeMicro: intEnv(env, 'PROBATION_STAKE_MICRO', 1_000_000, 0, 1_000_000_000_000),
		trustProxy: env.TRUST_PROXY === '1',
		disputeRoundMs: intEnv(env, 'DISPUTE_ROUND_MS', 300_000, 100, 3_600_000),
		reconcileIntervalMs: intEnv(env, 'RECONCILE_INTERVAL_MS', 60_000, 1_000, 86_400_000),
		testHooks: env.MYCELIA_TEST_HOOKS === '1',
		staticDir: env.STATIC_DIR || join(cwd, 'build'),
		signalSocketsMax: intEnv(env, 'SIGNAL_SOCKETS_MAX', 5_000, 1, 1_000_000),
		signalSocketsPerAddressMax: intEnv(env, 'SIGNAL_SOCKETS_PER_ADDRESS_MAX', 256, 1, 1_000_000),
		limits: {
			readsPerMinute: intEnv(env, 'RATE_READS_PER_MIN', LIMITS.readsPerMinute, 1, 1_000_000_000),
			writesPerMinute: intEnv(env, 'RATE_WRITES_PER_MIN', LIMITS.writesPerMinute, 1, 1_000_000_000),
			uploadsPerMinute: intEnv(env, 'RATE_UPLOADS_PER_MIN', LIMITS.uploadsPerMinute, 1, 1_000_000_000),
			grantRequestsPerMinute: intEnv(env, 'RATE_GRANT_REQUESTS_PER_MIN', LIMITS.grantRequestsPerMinute, 1, 1_000_000_000),
			keyRequestsPerMinute: intEnv(env, 'RATE_KEY_REQUESTS_PER_MIN', LIMITS.keyRequestsPerMinute, 1, 1_000_000_000),
			streamsPerAddress: intEnv(env, 'SSE_STREAMS_PER_ADDRESS', LIMITS.streamsPerAddress, 1, 1_000_000),
			noncesPerKey: intEnv(env, 'NONCES_PER_KEY_MAX', LIMITS.noncesPerKey, 1, 1_000_000),
			grantsPerAddress: intEnv(env, 'GRANTS_PER_ADDRESS', LIMITS.grantsPerAddress, 0, 1_000_000_000),
			grantsPerPeriod: intEnv(env, 'GRANTS_PER_PERIOD', LIMITS.grantsPerPeriod, 0, 1_000_000_000),
			grantPeriodMs: intEnv(env, 'GRANT_PERIOD_MS', LIMITS.grantPeriodMs, 1_000, 366 * 86_400_000)
		},
		keyLeasesNew: intEnv(env, 'LEASES_NEW_KEY', KEY_LEASES_NEW, 1, 1_024),
		keyLeasesMax: intEnv(env, 'LEASES_PER_KEY_MAX', KEY_LEASES_MAX, 1, 4_096),
		networkLeasesMax: intEnv(env, 'LEASES_PER_NETWORK_MAX', NETWORK_LEASES_MAX, 1, 1_000_000),
		waitingMs: intEnv(env, 'FAIR_SHARE_WAITING_MS', WAITING_MS, 0, 600_000)
	};
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { WARMUP_STREAK_DEFAULT } from './trust/policy.js';

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
		staticDir: env.STATIC_DIR || join(cwd, 'build')
	};
}

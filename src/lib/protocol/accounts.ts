import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';

/** GET /api/v1/accounts/:key */
export const AccountSchema = v.object({
	key: PublicKeyHexSchema,
	/** What the key can spend on work: its balance plus its starter credits. */
	balanceMicro: v.number(),
	/**
	 * Of which starter credits: granted free, spendable on jobs and training budgets only (never
	 * staked or redeemed); work they pay for pays its workers in starter credits too.
	 */
	starterMicro: v.optional(v.number(), 0),
	demoGranted: v.boolean(),
	resultsAccepted: v.number(),
	resultsRejected: v.number(),
	earnedMicro: v.number()
});
export type Account = v.InferOutput<typeof AccountSchema>;

/**
 * POST /api/v1/grants/demo (signed, empty JSON body `{}`): starter credits, once per key, within
 * the relay's allowance per address and in all (429 `grant_limit` with Retry-After beyond it).
 */
export const GrantResponseSchema = v.object({ key: PublicKeyHexSchema, grantedMicro: v.number(), balanceMicro: v.number(), starterMicro: v.optional(v.number(), 0) });
export type GrantResponse = v.InferOutput<typeof GrantResponseSchema>;

/** POST /api/v1/mint (signed by the operator key only). */
export const MintRequestSchema = v.strictObject({
	to: PublicKeyHexSchema,
	amountMicro: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1_000_000_000_000)),
	ref: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/))
});

/** GET /api/v1/info: what a client needs before its first signed request. */
export const InfoSchema = v.object({
	protocol: v.number(),
	now: v.number(),
	startedAt: v.number(),
	feeBps: v.number(),
	demoGrantMicro: v.number(),
	leaseMs: v.number(),
	/** How long a prefetched (offline) lease lasts, and how many one key may hold. */
	offlineLeaseMs: v.number(),
	prefetchTasksMax: v.number(),
	operatorKey: v.nullable(PublicKeyHexSchema),
	testHooks: v.boolean(),
	kernels: v.array(v.object({ id: v.string(), version: v.number(), verification: v.string() })),
	/**
	 * Origins another device can open this relay at (PUBLIC_ORIGIN, and the machine's network
	 * addresses when it listens on all interfaces); empty when it only listens on loopback.
	 */
	shareOrigins: v.optional(v.pipe(v.array(v.string()), v.maxLength(16)), [])
});
export type Info = v.InferOutput<typeof InfoSchema>;

/** GET /api/v1/accounts/:key/contribution?hours=N: the window of hourly buckets, bounded. */
export const CONTRIBUTION_HOURS_MIN = 1;
export const CONTRIBUTION_HOURS_MAX = 168;
export const CONTRIBUTION_HOURS_DEFAULT = 24;
export const CONTRIBUTION_BUCKET_MS = 3_600_000;
/** Devices listed per key, most recently seen first; the rest count under `otherDevices`. */
export const CONTRIBUTION_DEVICES_MAX = 50;
/** Longest GPU description passed on (adapter strings are the browser's, not ours). */
export const DEVICE_GPU_CHARS_MAX = 120;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** Results and payouts of one slice of a key's work (a device, an hour, or all of it). */
const WorkTallySchema = v.object({
	resultsAccepted: count,
	resultsRejected: count,
	/** Payouts received (before any clawback), µcr. */
	earnedMicro: count
});
export type WorkTally = v.InferOutput<typeof WorkTallySchema>;

/**
 * One device a key contributes from, as it described itself on its last claim. Results and
 * payouts are attributed through the lease that carried them (a key holds one lease per task).
 */
const DeviceContributionSchema = v.object({
	...WorkTallySchema.entries,
	id: v.string(),
	label: v.string(),
	cores: v.number(),
	memoryGb: v.number(),
	/** The WebGPU adapter in words, or null for a CPU-only device. */
	gpu: v.nullable(v.pipe(v.string(), v.maxLength(DEVICE_GPU_CHARS_MAX))),
	score: v.number(),
	firstSeenAt: v.number(),
	lastSeenAt: v.number()
});
export type DeviceContribution = v.InferOutput<typeof DeviceContributionSchema>;

const ContributionHourSchema = v.object({
	...WorkTallySchema.entries,
	/** Start of the hour (ms since the epoch); results count by submission time, payouts by payment time. */
	start: v.number()
});
export type ContributionHour = v.InferOutput<typeof ContributionHourSchema>;

/** GET /api/v1/accounts/:key/contribution: what "My contribution" shows for a key. */
export const ContributionSchema = v.object({
	key: PublicKeyHexSchema,
	now: v.number(),
	bucketMs: v.number(),
	balanceMicro: v.number(),
	/** All of the key's work, every device included. */
	totals: WorkTallySchema,
	reputation: v.object({
		validStreak: count,
		validTotal: count,
		invalidTotal: count,
		stakeMicro: count,
		/** Stake the key must keep staked to be given work (0 until its first invalid result). */
		stakeRequiredMicro: count,
		/** Marked by the operator as a trusted referee: never replicated, referees tie-breaks. */
		trusted: v.boolean(),
		/** Chance that a task this key takes is also given to another key. */
		spotCheckProbability: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
		replicatedUntilStreak: count,
		slashedMicro: count,
		clawedBackMicro: count
	}),
	devices: v.pipe(v.array(DeviceContributionSchema), v.maxLength(CONTRIBUTION_DEVICES_MAX)),
	/** Work from leases with no recorded device (claims before devices were recorded) or beyond the list. */
	otherDevices: WorkTallySchema,
	/** Oldest first, one per hour, the last one being the current (partial) hour. */
	hourly: v.pipe(v.array(ContributionHourSchema), v.maxLength(CONTRIBUTION_HOURS_MAX))
});
export type Contribution = v.InferOutput<typeof ContributionSchema>;

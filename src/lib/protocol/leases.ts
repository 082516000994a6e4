import * as v from 'valibot';
import { Sha256HexSchema } from './auth.js';
import { plainText } from './text.js';
import { BACKENDS, DeviceSchema } from './devices.js';
import { DisputeQuestionSchema } from './disputes.js';
import { CLAIM_COMMITMENTS_MAX, CLAIM_TASKS_MAX, DISPUTE_QUESTIONS_MAX, REVEALS_LISTED_MAX } from './limits.js';

/** A worker binds itself to a finished result before anyone reveals (commit-then-reveal). */
const CommitmentSchema = v.strictObject({
	leaseId: plainText(64, 1),
	/** resultCommitment(...) of src/lib/verify/commitment.ts: hides the result hash behind a salt. */
	commitment: Sha256HexSchema
});
export type Commitment = v.InferOutput<typeof CommitmentSchema>;

/**
 * POST /api/v1/leases: commit to finished results, then ask for up to `maxTasks` tasks this key
 * has not worked on yet (0 only commits and asks which reveals are open). One request per
 * round trip of a worker: commitments ride along with the next claim instead of costing their own.
 */
export const ClaimRequestSchema = v.strictObject({
	maxTasks: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(CLAIM_TASKS_MAX)),
	kernels: v.pipe(v.array(plainText(64, 1)), v.minLength(1), v.maxLength(8)),
	backend: v.picklist(BACKENDS),
	commitments: v.optional(v.pipe(v.array(CommitmentSchema), v.maxLength(CLAIM_COMMITMENTS_MAX)), []),
	/** Prefetch for offline work: leases last OFFLINE_LEASE_MS and need no heartbeat. */
	offline: v.optional(v.boolean(), false),
	/** The device's capabilities: recorded, and used to match tasks to its speed. */
	device: v.optional(DeviceSchema)
});
export type ClaimRequest = v.InferOutput<typeof ClaimRequestSchema>;

const LeaseSchema = v.object({
	leaseId: v.string(),
	taskId: v.string(),
	jobId: v.string(),
	kernel: v.string(),
	kernelVersion: v.number(),
	/** Kernel-specific task parameters; the kernel's own schema validates them. */
	params: v.unknown(),
	resultBytes: v.number(),
	expiresAt: v.number()
});
export type Lease = v.InferOutput<typeof LeaseSchema>;
/** What became of one commitment: bound (the lease now lasts until `expiresAt`), or why not. */
const CommitOutcomeSchema = v.union([
	v.object({ leaseId: v.string(), ok: v.literal(true), expiresAt: v.number() }),
	v.object({ leaseId: v.string(), ok: v.literal(false), error: v.object({ code: v.string(), message: v.string() }) })
]);
export type CommitOutcome = v.InferOutput<typeof CommitOutcomeSchema>;

/**
 * Why a claim got fewer tasks than it asked for although work may be open: the key holds as
 * many as its record allows (`key_window`) or its device can finish soon (`device_window`), its
 * network holds its bound (`network_window`), other devices wait and this key holds its share
 * (`fair_share`), or its prefetched batch is full (`prefetch_window`). `message` says it in words.
 */
const LEASE_LIMIT_CODES = ['key_window', 'device_window', 'network_window', 'fair_share', 'prefetch_window'] as const;
const LeaseLimitSchema = v.object({
	code: v.picklist(LEASE_LIMIT_CODES),
	message: v.string(),
	/** Leases the key (or, for `network_window`, its network) holds now, and the most it may. */
	held: v.number(),
	max: v.number()
});
export type LeaseLimit = v.InferOutput<typeof LeaseLimitSchema>;

export const ClaimResponseSchema = v.object({
	leases: v.array(LeaseSchema),
	/** Present when a bound, not a lack of open work, kept this claim short. */
	limit: v.optional(LeaseLimitSchema),
	commitments: v.array(CommitOutcomeSchema),
	/**
	 * This key's committed leases whose every replica has committed: reveal these now
	 * (POST /results/:leaseId). At most REVEALS_LISTED_MAX, oldest first.
	 */
	reveal: v.pipe(v.array(v.string()), v.maxLength(REVEALS_LISTED_MAX)),
	/** Dispute questions this key must answer now (POST /disputes/:id/answer), soonest deadline first. */
	questions: v.pipe(v.array(DisputeQuestionSchema), v.maxLength(DISPUTE_QUESTIONS_MAX))
});
export type ClaimResponse = v.InferOutput<typeof ClaimResponseSchema>;

/** POST /api/v1/leases/:id/heartbeat extends a lease that is still held. */
export const HeartbeatResponseSchema = v.object({ leaseId: v.string(), expiresAt: v.number() });

const SUBMIT_VERDICTS = ['pending', 'accepted', 'rejected', 'disputed', 'failed'] as const;
/**
 * POST /api/v1/results/:leaseId, body: the raw result bytes, header x-mycelia-receipt.
 * `pending`: waiting for another replica; `accepted`: agreed and paid; `rejected`: outvoted;
 * `disputed`: replicas disagree, another replica was asked for; `failed`: no majority was possible.
 */
export const SubmitResponseSchema = v.object({
	taskId: v.string(),
	verdict: v.picklist(SUBMIT_VERDICTS),
	paidMicro: v.number()
});
export type SubmitResponse = v.InferOutput<typeof SubmitResponseSchema>;

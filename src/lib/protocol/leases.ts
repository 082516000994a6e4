import * as v from 'valibot';
import { CLAIM_TASKS_MAX } from './limits.js';

export const BACKENDS = ['webgpu', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

/** POST /api/v1/leases: ask for up to `maxTasks` tasks this key has not worked on yet. */
export const ClaimRequestSchema = v.strictObject({
	maxTasks: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(CLAIM_TASKS_MAX)),
	kernels: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.minLength(1), v.maxLength(8)),
	backend: v.picklist(BACKENDS)
});
export type ClaimRequest = v.InferOutput<typeof ClaimRequestSchema>;

export const LeaseSchema = v.object({
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
export const ClaimResponseSchema = v.object({ leases: v.array(LeaseSchema) });
export type ClaimResponse = v.InferOutput<typeof ClaimResponseSchema>;

/** POST /api/v1/leases/:id/heartbeat extends a lease that is still held. */
export const HeartbeatResponseSchema = v.object({ leaseId: v.string(), expiresAt: v.number() });

export const SUBMIT_VERDICTS = ['pending', 'accepted', 'rejected', 'disputed', 'failed'] as const;
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

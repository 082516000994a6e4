import * as v from 'valibot';
import { PublicKeyHexSchema, Sha256HexSchema, SignatureHexSchema } from './auth.js';
import { TASK_STATES } from './jobs.js';

/**
 * GET /api/v1/jobs/:id/evidence: what a requester needs to check a job's results itself rather
 * than trust the relay. For every task, each worker's signed receipt (the receipt fields the
 * worker signed are the task and lease ids, the job's kernel and version, the result's SHA-256
 * and the worker's key; the signature is over their canonical encoding, see verify/canonical.ts).
 */
const EvidenceReceiptSchema = v.object({
	leaseId: v.string(),
	worker: PublicKeyHexSchema,
	sha256: Sha256HexSchema,
	/** The relay's verdict on this result: only `agreed` ones were paid and count for acceptance. */
	verdict: v.picklist(['pending', 'agreed', 'rejected', 'voided']),
	signature: SignatureHexSchema
});

const TaskEvidenceSchema = v.object({
	id: v.string(),
	idx: v.number(),
	state: v.picklist(TASK_STATES),
	acceptedHash: v.nullable(Sha256HexSchema),
	/** Independent keys whose agreeing results were needed (1 for a spot-checked task of a proven key). */
	replicasWanted: v.number(),
	receipts: v.array(EvidenceReceiptSchema)
});
export type TaskEvidence = v.InferOutput<typeof TaskEvidenceSchema>;

export const JobEvidenceSchema = v.object({
	jobId: v.string(),
	kernel: v.string(),
	kernelVersion: v.number(),
	tasks: v.array(TaskEvidenceSchema)
});
export type JobEvidence = v.InferOutput<typeof JobEvidenceSchema>;

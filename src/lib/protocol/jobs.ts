import * as v from 'valibot';
import { KERNELS, type KernelId } from '../kernels/registry.js';
import { AMOUNT_MICRO_MAX } from './limits.js';
import { PublicKeyHexSchema, Sha256HexSchema } from './auth.js';
import { plainText } from './text.js';

const Micro = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(AMOUNT_MICRO_MAX));

/**
 * POST /api/v1/jobs. `clientRef` makes creation idempotent: the same key and ref always
 * name the same job, so a retried request never escrows twice.
 */
export const CreateJobRequestSchema = v.strictObject({
	kernel: plainText(64, 1),
	spec: v.unknown(),
	budgetMicro: Micro,
	clientRef: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 characters of [A-Za-z0-9_-]'))
});
export type CreateJobRequest = v.InferOutput<typeof CreateJobRequestSchema>;

/**
 * Specs by kernel id, from the kernel registry; the relay looks the kernel up first, then
 * validates its spec.
 */
export const KERNEL_SPEC_SCHEMAS = Object.fromEntries(Object.values(KERNELS).map((k) => [k.id, k.specSchema])) as {
	readonly [K in KernelId]: (typeof KERNELS)[K]['specSchema'];
};

const JOB_STATES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** `voided`: accepted from one key that was later caught cheating; its payout was clawed back. */
export const TASK_STATES = ['open', 'accepted', 'failed', 'cancelled', 'voided'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const JobSummarySchema = v.object({
	id: v.string(),
	requester: PublicKeyHexSchema,
	kernel: v.string(),
	kernelVersion: v.number(),
	spec: v.unknown(),
	state: v.picklist(JOB_STATES),
	tasks: v.number(),
	tasksDone: v.number(),
	budgetMicro: Micro,
	estimateMicro: Micro,
	paidMicro: Micro,
	feeMicro: Micro,
	refundedMicro: Micro,
	/** Payouts taken back from keys caught cheating (into the escrow, or to you once finished). */
	clawedBackMicro: Micro,
	createdAt: v.number(),
	finishedAt: v.nullable(v.number())
});
export type JobSummary = v.InferOutput<typeof JobSummarySchema>;

const TaskViewSchema = v.object({
	id: v.string(),
	idx: v.number(),
	state: v.picklist(TASK_STATES),
	/** Where the task's output lands in the assembled result (pixels, for image kernels). */
	rect: v.object({ x: v.number(), y: v.number(), w: v.number(), h: v.number() }),
	acceptedHash: v.nullable(Sha256HexSchema),
	replicasWanted: v.number(),
	results: v.array(
		v.object({ worker: PublicKeyHexSchema, sha256: Sha256HexSchema, verdict: v.picklist(['pending', 'agreed', 'rejected', 'voided']) })
	)
});
export type TaskView = v.InferOutput<typeof TaskViewSchema>;

export const JobDetailSchema = v.object({ job: JobSummarySchema, tasks: v.array(TaskViewSchema) });
export type JobDetail = v.InferOutput<typeof JobDetailSchema>;

/**
 * GET /api/v1/jobs/:id/activity: who is working on a job and what its open tasks wait for, so
 * the job page can say why it is or is not moving ("waiting for a second device").
 */
export const JobActivitySchema = v.object({
	jobId: v.string(),
	now: v.number(),
	/** The job as it stands (its money moves with every accepted task). */
	job: JobSummarySchema,
	/** Keys whose results must agree before a task is accepted. */
	replicasPerTask: v.number(),
	/** Keys asking for this job's kernel in the last PRESENCE_ONLINE_MS. */
	contributorsOnline: v.number(),
	/** Of those, how many could hold one task's replicas together (one per network). */
	independentOnline: v.number(),
	/** Devices that have taken this job's tasks, first to join first (at most JOB_DEVICES_LISTED_MAX). */
	devices: v.array(
		v.object({
			key: PublicKeyHexSchema,
			label: v.string(),
			backend: v.string(),
			/** Tasks it finished (committed or revealed). */
			done: v.number(),
			/** Tasks it holds a live lease on now. */
			computing: v.number(),
			online: v.boolean()
		})
	),
	tasks: v.object({
		open: v.number(),
		/** Open tasks some device is computing now. */
		computing: v.number(),
		/** Open tasks with a result bound and a replica still to come, nobody computing it. */
		waitingForPartner: v.number(),
		/** Open tasks that went back to the queue after a device's lease on them lapsed. */
		requeued: v.number()
	})
});
export type JobActivity = v.InferOutput<typeof JobActivitySchema>;

/** POST /api/v1/jobs/estimate (unsigned): what a spec would cost before committing. */
export const EstimateRequestSchema = v.strictObject({ kernel: plainText(64, 1), spec: v.unknown() });
export const EstimateResponseSchema = v.object({
	tasks: v.number(),
	perResultMicro: v.array(v.number()),
	estimateMicro: Micro,
	feeBps: v.number()
});
export type EstimateResponse = v.InferOutput<typeof EstimateResponseSchema>;

/** Server-sent events on GET /api/v1/jobs/:id/events: the job first, then task and job changes. */
export const JobEventSchema = v.variant('type', [
	v.object({ type: v.literal('job'), job: JobSummarySchema }),
	v.object({
		type: v.literal('task'),
		jobId: v.string(),
		idx: v.number(),
		state: v.picklist(TASK_STATES),
		sha256: v.nullable(Sha256HexSchema),
		tasksDone: v.number(),
		tasks: v.number()
	})
]);
export type JobEvent = v.InferOutput<typeof JobEventSchema>;

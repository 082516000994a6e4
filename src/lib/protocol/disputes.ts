// Bisection disputes for `bisect` kernels (see DESIGN.md, "Verification classes"): the relay asks
// both sides of a disagreement for single leaves of their committed traces until it finds the
// first step they disagree on, then a trusted referee recomputes that one step.
import * as v from 'valibot';
import { PublicKeyHexSchema, Sha256HexSchema } from './auth.js';
import { DISPUTE_PROOF_HASHES_MAX, DISPUTE_QUESTIONS_MAX, DISPUTE_STATE_BYTES_MAX } from './limits.js';

/** A step state on the wire: lowercase hex of the kernel's state bytes. */
const StateHexSchema = v.pipe(
	v.string(),
	v.regex(/^(?:[0-9a-f]{2})+$/, 'lowercase hex bytes'),
	v.maxLength(2 * DISPUTE_STATE_BYTES_MAX, `a state is at most ${DISPUTE_STATE_BYTES_MAX} bytes`)
);

/** Leaf `index` (1-based step count) of your trace for the dispute over lease `leaseId`. */
export const DisputeQuestionSchema = v.object({
	disputeId: v.string(),
	leaseId: v.string(),
	taskId: v.string(),
	/** Answer with the state after this many steps. */
	index: v.number(),
	steps: v.number(),
	deadline: v.number()
});
export type DisputeQuestion = v.InferOutput<typeof DisputeQuestionSchema>;

/** For trusted referees: recompute step `index` from `prior`, the state both sides agree on. */
const RefereeTaskSchema = v.object({
	disputeId: v.string(),
	taskId: v.string(),
	kernel: v.string(),
	kernelVersion: v.number(),
	params: v.unknown(),
	index: v.number(),
	/** The agreed state after index − 1 steps; null means the kernel's initial state (index 1). */
	prior: v.nullable(v.string()),
	expiresAt: v.number()
});
export type RefereeTask = v.InferOutput<typeof RefereeTaskSchema>;

/** POST /api/v1/disputes/poll (signed, empty body): what this key must answer now. */
export const DisputePollResponseSchema = v.object({
	questions: v.pipe(v.array(DisputeQuestionSchema), v.maxLength(DISPUTE_QUESTIONS_MAX)),
	referee: v.pipe(v.array(RefereeTaskSchema), v.maxLength(DISPUTE_QUESTIONS_MAX))
});
export type DisputePollResponse = v.InferOutput<typeof DisputePollResponseSchema>;

/** POST /api/v1/disputes/:id/answer: the state after `index` steps, its leaf and the proof to your root. */
export const DisputeAnswerSchema = v.strictObject({
	index: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
	state: StateHexSchema,
	proof: v.pipe(v.array(Sha256HexSchema), v.maxLength(DISPUTE_PROOF_HASHES_MAX))
});
export type DisputeAnswer = v.InferOutput<typeof DisputeAnswerSchema>;

/** POST /api/v1/disputes/:id/referee (trusted keys): the state after step `index`, recomputed. */
export const RefereeAnswerSchema = v.strictObject({
	index: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
	state: StateHexSchema
});
export type RefereeAnswer = v.InferOutput<typeof RefereeAnswerSchema>;

const DISPUTE_STATES = ['bisecting', 'refereeing', 'settled'] as const;

/** GET /api/v1/disputes/:id, and what the answer routes return. */
export const DisputeViewSchema = v.object({
	id: v.string(),
	taskId: v.string(),
	jobId: v.string(),
	steps: v.number(),
	workerA: PublicKeyHexSchema,
	workerB: PublicKeyHexSchema,
	lo: v.number(),
	hi: v.number(),
	rounds: v.number(),
	ask: v.nullable(v.number()),
	state: v.picklist(DISPUTE_STATES),
	deadline: v.number(),
	referee: v.nullable(PublicKeyHexSchema),
	winner: v.nullable(v.picklist(['a', 'b', 'neither'])),
	reason: v.nullable(v.string()),
	createdAt: v.number(),
	settledAt: v.nullable(v.number())
});
export type DisputeView = v.InferOutput<typeof DisputeViewSchema>;

import * as v from 'valibot';

/** Problems listed per invariant at most; `problemCount` says how many there were. */
export const HEALTH_PROBLEMS_MAX = 20;

const InvariantCheckSchema = v.object({ name: v.string(), ok: v.boolean(), problemCount: v.number(), problems: v.array(v.string()) });

/**
 * One reconciliation of the books: every ledger invariant, checked in short statements with the
 * relay answering requests in between. The relay runs one at start, then on a schedule, and when
 * the operator asks (POST /api/v1/health/reconcile, signed by OPERATOR_PUBLIC_KEY).
 */
const ReconciliationSchema = v.object({
	ok: v.boolean(),
	trigger: v.picklist(['startup', 'schedule', 'operator']),
	startedAt: v.number(),
	finishedAt: v.number(),
	/** Wall time from start to finish, the pauses for other requests included. */
	checkMs: v.number(),
	/** Statements it ran, and the longest (ms, any wait for the database included): at most what it held the database at once. */
	steps: v.number(),
	longestStepMs: v.number(),
	invariants: v.array(InvariantCheckSchema)
});
export type Reconciliation = v.InferOutput<typeof ReconciliationSchema>;

/**
 * GET /api/v1/health: liveness, answered from memory (no database work on a request), with the
 * latest reconciliation. `ok` is false only when that reconciliation found a broken invariant
 * (the answer is then 503).
 */
export const HealthSchema = v.object({
	ok: v.boolean(),
	servedAt: v.number(),
	relay: v.object({ startedAt: v.number(), uptimeMs: v.number(), storage: v.picklist(['pglite', 'postgres']), protocol: v.number() }),
	/** How often the relay reconciles on its own. */
	reconcileEveryMs: v.number(),
	/** A reconciliation is running right now. */
	reconciling: v.boolean(),
	/** Null until the first one finishes (moments after start). */
	reconciliation: v.nullable(ReconciliationSchema)
});
export type Health = v.InferOutput<typeof HealthSchema>;

/** POST /api/v1/health/reconcile: the operator asks for a fresh reconciliation; it answers with Health. */
export const ReconcileRequestSchema = v.strictObject({});

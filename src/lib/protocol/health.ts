import * as v from 'valibot';

/** Problems listed per invariant at most; `problemCount` says how many there were. */
export const HEALTH_PROBLEMS_MAX = 20;

/** GET /api/v1/health: relay liveness and every ledger invariant, checked on each request. */
export const HealthSchema = v.object({
	ok: v.boolean(),
	checkedAt: v.number(),
	checkMs: v.number(),
	relay: v.object({ startedAt: v.number(), uptimeMs: v.number(), storage: v.picklist(['pglite', 'postgres']), protocol: v.number() }),
	invariants: v.array(v.object({ name: v.string(), ok: v.boolean(), problemCount: v.number(), problems: v.array(v.string()) }))
});
export type Health = v.InferOutput<typeof HealthSchema>;

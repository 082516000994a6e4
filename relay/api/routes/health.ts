import type { Health, Reconciliation } from '../../../src/lib/protocol/health.js';
import { PROTOCOL_VERSION } from '../../../src/lib/protocol/version.js';
import type { RelayContext } from '../../context.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

function health(ctx: RelayContext, reconciliation: Reconciliation | null, now: number): { status: number; json: Health } {
	const json: Health = {
		ok: reconciliation?.ok ?? true,
		servedAt: now,
		relay: { startedAt: ctx.startedAt, uptimeMs: now - ctx.startedAt, storage: ctx.db.kind, protocol: PROTOCOL_VERSION },
		reconcileEveryMs: ctx.reconciler.intervalMs,
		reconciling: ctx.reconciler.running,
		reconciliation
	};
	return { status: json.ok ? 200 : 503, json };
}

/**
 * Liveness plus the latest reconciliation of the books, from memory: anyone may ask as often as
 * they like without touching the database. 503 when that reconciliation found an invariant broken.
 */
export const healthRoute = defineRoute(ENDPOINTS.health, {
	async handle({ ctx, now }) {
		return health(ctx, ctx.reconciler.latest(), now);
	}
});

/** The operator asks for a reconciliation that starts now (asks during a run share one follow-up run). */
export const reconcileRoute = defineRoute(ENDPOINTS.reconcile, {
	async handle({ ctx, key }) {
		if (!ctx.config.operatorKey || key !== ctx.config.operatorKey) {
			throw new DomainError('forbidden', 'only the operator key may ask for a reconciliation; anyone can read the latest one at GET /api/v1/health');
		}
		const fresh = await ctx.reconciler.fresh('operator');
		return health(ctx, fresh, Date.now());
	}
});

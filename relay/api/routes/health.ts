import { HEALTH_PROBLEMS_MAX, type Health } from '../../../src/lib/protocol/health.js';
import { PROTOCOL_VERSION } from '../../../src/lib/protocol/version.js';
import { invariantReport } from '../../ledger/invariants.js';
import { defineRoute } from '../route.js';

/** Liveness plus a full reconciliation of the books; 503 when any invariant is broken. */
export const healthRoute = defineRoute({
	method: 'GET',
	path: '/health',
	signed: false,
	body: 'none',
	async handle({ ctx, now }) {
		const started = performance.now();
		const report = await invariantReport(ctx.db);
		const invariants = report.map((r) => ({
			name: r.name,
			ok: r.problems.length === 0,
			problemCount: r.problems.length,
			problems: r.problems.slice(0, HEALTH_PROBLEMS_MAX)
		}));
		const health: Health = {
			ok: invariants.every((i) => i.ok),
			checkedAt: now,
			checkMs: Math.round(performance.now() - started),
			relay: { startedAt: ctx.startedAt, uptimeMs: now - ctx.startedAt, storage: ctx.db.kind, protocol: PROTOCOL_VERSION },
			invariants
		};
		return { status: health.ok ? 200 : 503, json: health };
	}
});

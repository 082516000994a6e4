import type { DisputePollResponse } from '../../../src/lib/protocol/disputes.js';
import { answerDispute } from '../../disputes/answer-dispute.js';
import { DISPUTE_COLUMNS, disputeView, type DisputeRow } from '../../disputes/dispute-row.js';
import { questionsFor } from '../../disputes/questions.js';
import { refereeTasksFor, refereeVerdict } from '../../disputes/referee-disputes.js';
import { publishSettled } from '../../events/publish-settled.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** Public: where a dispute stands. */
export const getDisputeRoute = defineRoute(ENDPOINTS.getDispute, {
	async handle({ ctx, params }) {
		const [row] = await ctx.db.query<DisputeRow>(`SELECT ${DISPUTE_COLUMNS} FROM disputes WHERE id = $1`, [params.id]);
		if (!row) throw new DomainError('not_found', `no dispute ${params.id}`);
		return { json: disputeView(row) };
	}
});

/** What this key must answer now: its dispute questions and, for trusted referees, steps to recompute. */
export const pollDisputesRoute = defineRoute(ENDPOINTS.pollDisputes, {
	async handle({ ctx, key: worker, now }) {
		const json: DisputePollResponse = {
			questions: await questionsFor(ctx.db, worker, now),
			referee: await refereeTasksFor(ctx.db, worker, now, ctx.config.leaseMs)
		};
		return { json };
	}
});

export const answerDisputeRoute = defineRoute(ENDPOINTS.answerDispute, {
	async handle({ ctx, key, params, body, now }) {
		return { json: await answerDispute(ctx.db, key, params.id, body, now, ctx.config.disputeRoundMs) };
	}
});

export const refereeDisputeRoute = defineRoute(ENDPOINTS.refereeDispute, {
	async handle({ ctx, key, params, body, now }) {
		const { view, events, finishedJobs } = await refereeVerdict(ctx.db, key, params.id, body, now);
		await publishSettled(ctx, events, finishedJobs);
		return { json: view };
	}
});

import { jobEvidence } from '../../jobs/job-evidence.js';
import { notFound } from '../http-error.js';
import { defineRoute } from '../route.js';

/** Every task's signed receipts, so a requester can check its results instead of trusting the relay. */
export const jobEvidenceRoute = defineRoute({
	method: 'GET',
	path: '/jobs/:id/evidence',
	signed: false,
	body: 'none',
	async handle({ ctx, params }) {
		const evidence = await jobEvidence(ctx.db, params.id ?? '');
		if (!evidence) throw notFound(`job ${params.id}`);
		return { json: evidence };
	}
});

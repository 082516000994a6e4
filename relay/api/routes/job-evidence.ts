import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { notFound } from '../../domain-error.js';
import { jobEvidence } from '../../jobs/job-evidence.js';
import { defineRoute } from '../route.js';

/** Every task's signed receipts, so a requester can check its results instead of trusting the relay. */
export const jobEvidenceRoute = defineRoute(ENDPOINTS.jobEvidence, {
	async handle({ ctx, params }) {
		const evidence = await jobEvidence(ctx.db, params.id);
		if (!evidence) throw notFound(`job ${params.id}`);
		return { json: evidence };
	}
});

import * as v from 'valibot';
import type { EstimateResponse } from '../../../src/lib/protocol/jobs.js';
import { PublicKeyHexSchema } from '../../../src/lib/protocol/auth.js';
import { JOB_LIST_MAX } from '../../../src/lib/protocol/limits.js';
import { cancelJob } from '../../jobs/cancel-job.js';
import { createJob, planJob } from '../../jobs/create-job.js';
import { jobDetail, listJobs } from '../../jobs/job-views.js';
import { jobActivity } from '../../jobs/job-activity.js';
import { badRequest, notFound } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

export const estimateJobRoute = defineRoute(ENDPOINTS.estimateJob, {
	async handle({ ctx, body }) {
		const plan = planJob(body.kernel, body.spec, ctx.config.feeBps);
		const estimate: EstimateResponse = {
			tasks: plan.plans.length,
			perResultMicro: [...new Set(plan.plans.map((p) => p.priceMicro))].slice(0, 8),
			estimateMicro: plan.estimateMicro,
			feeBps: ctx.config.feeBps
		};
		return { json: estimate };
	}
});

export const createJobRoute = defineRoute(ENDPOINTS.createJob, {
	async handle({ ctx, key, body, now }) {
		const { job, created } = await createJob(ctx, key, body, now);
		return { status: created ? 201 : 200, json: job };
	}
});

export const listJobsRoute = defineRoute(ENDPOINTS.listJobs, {
	async handle({ ctx, req }) {
		const requester = req.query.requester ?? null;
		if (requester !== null && !v.is(PublicKeyHexSchema, requester)) throw badRequest('requester must be one 32-byte hex public key');
		return { json: { jobs: await listJobs(ctx.db, requester, JOB_LIST_MAX) } };
	}
});

export const getJobRoute = defineRoute(ENDPOINTS.getJob, {
	async handle({ ctx, params }) {
		const detail = await jobDetail(ctx.db, params.id);
		if (!detail) throw notFound(`job ${params.id}`);
		return { json: detail };
	}
});

export const cancelJobRoute = defineRoute(ENDPOINTS.cancelJob, {
	async handle({ ctx, key, params, now }) {
		return { json: await cancelJob(ctx, key, params.id, now) };
	}
});

export const jobActivityRoute = defineRoute(ENDPOINTS.jobActivity, {
	async handle({ ctx, params, now }) {
		const activity = await jobActivity(ctx, params.id, now);
		if (!activity) throw notFound(`job ${params.id}`);
		return { json: activity };
	}
});

import { jobSummary } from '../../jobs/job-views.js';
import { notFound } from '../http-error.js';
import { defineRoute } from '../route.js';

/** Keeps idle proxies from closing the stream. */
const SSE_HEARTBEAT_MS = 15_000;

/** Live progress: the current job first, then task and job events as they commit. */
export const jobEventsRoute = defineRoute({
	method: 'GET',
	path: '/jobs/:id/events',
	signed: false,
	body: 'none',
	async handle({ ctx, params, req, res }) {
		const jobId = params.id ?? '';
		const job = await jobSummary(ctx.db, jobId);
		if (!job) throw notFound(`job ${jobId}`);
		const unsubscribe = ctx.events.subscribe(jobId, res);
		res.writeHead(200, {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache, no-transform',
			connection: 'keep-alive',
			'x-accel-buffering': 'no'
		});
		res.write(`retry: 2000\ndata: ${JSON.stringify({ type: 'job', job })}\n\n`);
		const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
		req.on('close', () => {
			clearInterval(heartbeat);
			unsubscribe();
		});
	}
});

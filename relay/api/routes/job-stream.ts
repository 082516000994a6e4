import { jobSummary } from '../../jobs/job-views.js';
import { requestAddressKey } from '../../limits/address-key.js';
import { notFound } from '../../domain-error.js';
import { rateLimited } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** Keeps idle proxies from closing the stream. */
const SSE_HEARTBEAT_MS = 15_000;

/** Live progress: the current job first, then task and job events as they commit. */
export const jobEventsRoute = defineRoute(ENDPOINTS.jobEvents, {
	async handle({ ctx, params, req, res }) {
		const jobId = params.id;
		// Each open stream holds a socket and a subscription: bounded per address as well as per job.
		const slot = ctx.limiter.openStream(requestAddressKey(req, ctx.config.trustProxy));
		if (!('release' in slot)) throw rateLimited(slot.message, slot.retryAfterMs);
		let job: Awaited<ReturnType<typeof jobSummary>>;
		let unsubscribe: () => void;
		try {
			job = await jobSummary(ctx.db, jobId);
			if (!job) throw notFound(`job ${jobId}`);
			unsubscribe = ctx.events.subscribe(jobId, res);
		} catch (err) {
			slot.release();
			throw err;
		}
		res.writeHead(200, {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache, no-transform',
			connection: 'keep-alive',
			'x-accel-buffering': 'no'
		});
		res.write(`retry: 2000\ndata: ${JSON.stringify({ type: 'job', job })}\n\n`);
		const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
		const close = () => {
			clearInterval(heartbeat);
			unsubscribe();
			slot.release();
		};
		// A client gone while the job was read has already closed: let go of its slot at once.
		if (req.destroyed || res.closed) close();
		else req.on('close', close);
	}
});

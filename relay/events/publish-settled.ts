import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { RelayContext } from '../context.js';
import { jobSummary } from '../jobs/job-views.js';

/** After a settling transaction commits: tile events to each job's stream, then finished jobs. */
export async function publishSettled(ctx: RelayContext, events: readonly JobEvent[], finishedJobs: readonly string[]): Promise<void> {
	for (const e of events) if (e.type === 'task') ctx.events.publish(e.jobId, e);
	for (const jobId of new Set(finishedJobs)) {
		const job = await jobSummary(ctx.db, jobId);
		if (job) ctx.events.publish(jobId, { type: 'job', job });
	}
}

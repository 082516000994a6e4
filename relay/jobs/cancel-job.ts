import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import { DomainError, notFound } from '../domain-error.js';
import type { RelayContext } from '../context.js';
import { finishJob } from './finish-job.js';
import { jobSummary } from './job-views.js';

/** Only the requester may cancel; open tasks are withdrawn and unused escrow refunded at once. */
export async function cancelJob(ctx: RelayContext, key: string, jobId: string, now: number): Promise<JobSummary> {
	await ctx.db.transaction(async (tx) => {
		const [job] = await tx.query<{ requester: string; state: string }>('SELECT requester, state FROM jobs WHERE id = $1 FOR UPDATE', [jobId]);
		if (!job) throw notFound(`job ${jobId}`);
		if (job.requester !== key) throw new DomainError('forbidden', 'only the requester can cancel this job');
		if (job.state !== 'running') throw new DomainError('job_closed', `job is already ${job.state}`);
		await finishJob(tx, jobId, 'cancelled', now);
	});
	const summary = await jobSummary(ctx.db, jobId);
	if (!summary) throw notFound(`job ${jobId}`);
	ctx.events.publish(jobId, { type: 'job', job: summary });
	return summary;
}

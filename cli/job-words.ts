// A job in words and as JSON, the same in every command that shows one.
import { checkSpec } from '../src/lib/client/index.js';
import { getKernel } from '../src/lib/kernels/registry.js';
import { formatCredits } from '../src/lib/ui/money.js';
import type { JobSummary } from '../src/lib/protocol/jobs.js';
import { unitsOf } from './progress.js';

/** "Mandelbrot 640×480", or the kernel's id where its spec no longer checks out. */
export function jobTitle(job: Pick<JobSummary, 'kernel' | 'spec'>): string {
	const kernel = getKernel(job.kernel);
	if (!kernel) return job.kernel;
	try {
		return kernel.requester.title(checkSpec(job.kernel, job.spec));
	} catch {
		return job.kernel;
	}
}

/** A few lines: title and state, progress, money. */
export function jobLines(job: JobSummary): string[] {
	const money = [`budget ${formatCredits(job.budgetMicro)}`, `paid ${formatCredits(job.paidMicro)}`, `fee ${formatCredits(job.feeMicro)}`];
	if (job.refundedMicro > 0) money.push(`refunded ${formatCredits(job.refundedMicro)}`);
	if (job.clawedBackMicro > 0) money.push(`clawed back ${formatCredits(job.clawedBackMicro)}`);
	return [`job ${job.id}: ${jobTitle(job)}, ${job.state}`, `  ${job.tasksDone} / ${job.tasks} ${unitsOf(job.kernel)} verified`, `  credits: ${money.join(', ')}`];
}

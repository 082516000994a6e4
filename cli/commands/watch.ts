import type { Job } from '../../src/lib/client/index.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';
import { CliError, EXIT } from '../exit-codes.js';
import { jobLines } from '../job-words.js';
import type { Output } from '../output.js';
import { progressReporter } from '../progress.js';
import { jobArg } from './job-arg.js';

/**
 * Follows `job` to its end with progress on `to` (a bar on a terminal, else lines); throws
 * (exit 1) unless it completed. Ctrl-C stops following, never the job.
 */
export async function followJob(job: Job, out: Output, to: 'stdout' | 'stderr'): Promise<JobSummary> {
	const { job: first } = await job.detail();
	const reporter = progressReporter(out.streams[to], job.id, first.kernel);
	const stop = new AbortController();
	const onSigint = () => stop.abort(new CliError(`stopped following job ${job.id}; it goes on (cancel it with \`npx mycelia cancel ${job.id}\`)`, EXIT.jobFailed, 'interrupted'));
	process.once('SIGINT', onSigint);
	try {
		return await job.follow((p) => reporter.report(p), stop.signal);
	} finally {
		process.off('SIGINT', onSigint);
		reporter.end();
	}
}

export const watch: ParsedCommand = {
	name: 'watch',
	summary: 'follow a job until it ends (a progress bar on a terminal)',
	usage: 'watch <job>',
	help: 'Follows the job over its event stream, with a progress bar on a terminal and one line per change otherwise, until it completes, fails or is cancelled. Exit code 1 unless it completed. With --json the progress lines go to stderr and the final job to stdout.',
	options: {},
	async run({ positionals, globals, out }) {
		const id = jobArg(positionals, 'watch');
		const m = await connect(globals);
		const job = await followJob(m.job(id), out, out.json ? 'stderr' : 'stdout');
		if (job.state !== 'completed') {
			out.note(jobLines(job).join('\n'));
			throw new CliError(`job ${id} is ${job.state}, not completed`, EXIT.jobFailed, `job_${job.state}`);
		}
		out.answer({ job }, jobLines(job));
	}
};

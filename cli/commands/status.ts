import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';
import { jobLines } from '../job-words.js';
import { jobArg } from './job-arg.js';

export const status: ParsedCommand = {
	name: 'status',
	summary: 'show a job: its state, progress and credits',
	usage: 'status <job>',
	help: 'Shows the job as the relay has it now, with how many of its tasks are in each state.',
	options: {},
	async run({ positionals, globals, out }) {
		const id = jobArg(positionals, 'status');
		const m = await connect(globals);
		const { job, tasks } = await m.job(id).detail();
		const byState: Record<string, number> = {};
		for (const t of tasks) byState[t.state] = (byState[t.state] ?? 0) + 1;
		const counts = Object.entries(byState).map(([state, n]) => `${n} ${state}`).join(', ');
		out.answer({ job, tasks: byState }, [...jobLines(job), `  tasks: ${counts || 'none'}`]);
	}
};

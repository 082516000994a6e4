import { formatCredits } from '../../src/lib/ui/money.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';
import { jobLines } from '../job-words.js';
import { jobArg } from './job-arg.js';

export const cancel: ParsedCommand = {
	name: 'cancel',
	summary: 'cancel a running job of yours; its unspent budget comes back',
	usage: 'cancel <job>',
	help: 'Cancels the job: no new tasks are handed out, work already verified stays paid, and the rest of the budget returns to your balance.',
	options: {},
	async run({ positionals, globals, out }) {
		const id = jobArg(positionals, 'cancel');
		const m = await connect(globals);
		const job = await m.job(id).cancel();
		out.note(`job ${id} cancelled; ${formatCredits(job.refundedMicro)} credits returned`);
		out.answer({ job }, jobLines(job));
	}
};

import { parseCredits, formatCredits } from '../../src/lib/ui/money.js';
import { getKernel, KERNELS } from '../../src/lib/kernels/registry.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';
import { DEFAULT_SPECS } from '../default-specs.js';
import { CliError, EXIT } from '../exit-codes.js';
import { jobLines, jobTitle } from '../job-words.js';
import { buildSpec, specFieldOptions, specFields } from '../spec-args.js';
import { followJob } from './watch.js';

function kernelsHelp(): string {
	return Object.values(KERNELS)
		.map((k) => {
			const fields = [...specFields(k).keys()].map((f) => `--${f}`).join(' ');
			return `  ${k.id.padEnd(12)} ${k.requester.label}: ${fields}${DEFAULT_SPECS[k.id] ? ' (each has a default)' : ''}`;
		})
		.join('\n');
}

export const submit: ParsedCommand = {
	name: 'submit',
	summary: 'submit a job of any kernel (its id on stdout)',
	usage: 'submit <kernel> [--spec JSON | --spec @file.json] [--<field> value …] [--budget CREDITS] [--watch]',
	get help() {
		return `Submits a job and prints its id. The spec is the kernel's default (where it has one: the jobs page's), then --spec, then each --<field> flag; it is checked with the kernel's own rules before anything is sent.
  --spec JSON        the whole spec as JSON, or @file.json to read it from a file
  --<field> value    one top-level field of the kernel's spec
  --budget CREDITS   the most the job may spend (default: its estimate, rounded up)
  --watch            follow it at once (progress on stderr) until it ends
Kernels and their fields:
${kernelsHelp()}`;
	},
	options: { spec: { type: 'string' }, budget: { type: 'string' }, watch: { type: 'boolean' }, ...specFieldOptions() },
	async run({ positionals, values, globals, out }) {
		const [kernelId, ...rest] = positionals;
		if (kernelId === undefined) throw new CliError(`submit needs a kernel: one of ${Object.keys(KERNELS).join(', ')}`, EXIT.usage, 'usage');
		if (rest.length > 0) throw new CliError(`submit takes one kernel, then flags; "${rest.join(' ')}" is extra`, EXIT.usage, 'usage');
		const kernel = getKernel(kernelId);
		if (!kernel) throw new CliError(`unknown kernel "${kernelId}"; the kernels are ${Object.keys(KERNELS).join(', ')}`, EXIT.usage, 'unknown_kernel');
		const spec = await buildSpec(kernelId, kernel, values);
		let budgetMicro: number | undefined;
		if (typeof values.budget === 'string') {
			budgetMicro = parseCredits(values.budget) ?? undefined;
			if (!budgetMicro) throw new CliError(`--budget wants a positive amount of credits with up to 6 decimals, such as 2.5, not "${values.budget}"`, EXIT.usage, 'usage');
		}
		const m = await connect(globals);
		const job = await m.submit(kernelId, spec, { budgetMicro });
		const { job: created } = await job.detail();
		out.note(`submitted job ${job.id}: ${jobTitle(created)}, ${created.tasks} ${kernel.requester.unit.many}, budget ${formatCredits(created.budgetMicro)} credits`);
		if (!values.watch) {
			out.note(`follow it with \`npx mycelia watch ${job.id}\`, get it with \`npx mycelia result ${job.id}\``);
			out.answer({ job: created }, job.id);
			return;
		}
		const finished = await followJob(job, out, 'stderr');
		if (finished.state !== 'completed') {
			out.note(jobLines(finished).join('\n'));
			throw new CliError(`job ${job.id} is ${finished.state}, not completed`, EXIT.jobFailed, `job_${finished.state}`);
		}
		out.answer({ job: finished }, job.id);
	}
};

import { writeFile } from 'node:fs/promises';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';
import { CliError, EXIT } from '../exit-codes.js';
import { jobArg } from './job-arg.js';
import { followJob } from './watch.js';

export const result: ParsedCommand = {
	name: 'result',
	summary: 'wait for a job, check its evidence, write the result file',
	usage: 'result <job> [--out FILE]',
	help: `Waits for the job to complete (progress on stderr), downloads every verified task, checks the evidence itself (each task's bytes hash to what enough distinct keys signed in their receipts) and writes the kernel's result: a PNG for a render.
  --out FILE   where to write it (default mycelia-<job>.<extension> here)
Exit code 1 when the job failed or was cancelled, or its evidence does not check out (nothing is written then).`,
	options: { out: { type: 'string', short: 'o' } },
	async run({ positionals, values, globals, out }) {
		const id = jobArg(positionals, 'result');
		const m = await connect(globals);
		const job = m.job(id);
		const finished = await followJob(job, out, 'stderr');
		if (finished.state !== 'completed') throw new CliError(`job ${id} is ${finished.state}, not completed`, EXIT.jobFailed, `job_${finished.state}`);
		const { rendered, evidence } = await job.result();
		const file = typeof values.out === 'string' ? values.out : `mycelia-${id}.${rendered.extension}`;
		try {
			await writeFile(file, rendered.bytes);
		} catch (err) {
			throw new CliError(`could not write ${file}: ${(err as Error).message}`, EXIT.usage, 'write_failed');
		}
		const keys = evidence.keys;
		out.note(`evidence checked: all ${evidence.tasks.length} tasks signed by the keys that agreed on their bytes, and the bytes hash to what they signed`);
		out.answer(
			{ job: finished, file, bytes: rendered.bytes.length, mediaType: rendered.mediaType, summary: rendered.summary, evidence: { ok: evidence.ok, keys, tasks: evidence.tasks.map((t) => ({ idx: t.idx, agreeingKeys: t.agreeingKeys })) } },
			[`${file}: ${rendered.summary}`, `verified by ${keys.length} keys that agreed:`, ...keys.map((k) => `  ${k}`)]
		);
	}
};

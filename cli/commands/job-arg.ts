import { CliError, EXIT } from '../exit-codes.js';

/** A job id is the relay's; this only keeps obvious mistakes (none, several, a flag) from it. */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The one `<job>` argument of a command. */
export function jobArg(positionals: string[], command: string): string {
	const [id, ...rest] = positionals;
	if (id === undefined) throw new CliError(`${command} needs a job id: mycelia ${command} <job>`, EXIT.usage, 'usage');
	if (rest.length > 0) throw new CliError(`${command} takes one job id, not ${positionals.length}`, EXIT.usage, 'usage');
	if (!JOB_ID.test(id)) throw new CliError(`"${id}" is not a job id`, EXIT.usage, 'usage');
	return id;
}

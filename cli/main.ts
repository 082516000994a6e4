// The CLI's entry (bin/mycelia.mjs runs it): parse, run one command, map what went wrong to an
// exit code and a message in words. Returns the exit code rather than exiting, for tests.
import { parseCommandLine } from './args.js';
import { COMMANDS } from './commands.js';
import { codeOf, EXIT, exitOf } from './exit-codes.js';
import { globalsOf } from './globals.js';
import { commandHelp, mainHelp } from './help.js';
import { Output, type Streams } from './output.js';

const processStreams = (): Streams => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });

export async function main(argv: readonly string[], streams: Streams = processStreams(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
	// --json is known before parsing, so even a usage error answers in JSON when it was asked for.
	let out = new Output(streams, argv.includes('--json'));
	try {
		const parsed = parseCommandLine(argv, COMMANDS);
		if ('argv' in parsed) return parsed.command.runRaw(parsed.argv);
		const globals = globalsOf(parsed.values, env);
		out = new Output(streams, globals.json);
		if (!parsed.command) {
			streams.stdout.write(mainHelp(COMMANDS));
			return EXIT.ok;
		}
		if (parsed.help) {
			streams.stdout.write(commandHelp(parsed.command));
			return EXIT.ok;
		}
		const { help: _help, relay: _relay, key: _key, json: _json, ...values } = parsed.values;
		await parsed.command.run({ positionals: parsed.positionals, values, globals, out, env });
		return EXIT.ok;
	} catch (err) {
		const exit = exitOf(err);
		const message = err instanceof Error ? err.message : String(err);
		out.fail(codeOf(err), exit === EXIT.internal && err instanceof Error ? (err.stack ?? message) : message, exit);
		return exit;
	}
}

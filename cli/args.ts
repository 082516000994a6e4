// The command line split into a command, its positionals and its flags (node:util parseArgs):
// global flags may come before or after the command's name; unknown flags are refused in words.
import { parseArgs } from 'node:util';
import type { Command, Options, ParsedCommand, RawCommand, Values } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import { GLOBAL_OPTIONS } from './globals.js';

export type Parsed =
	| {
			/** Null for `mycelia` alone or `mycelia --help`. */
			command: ParsedCommand | null;
			positionals: string[];
			values: Values;
			help: boolean;
	  }
	| { command: RawCommand; argv: string[] };

function parseError(err: unknown, where: string): CliError {
	const e = err as Error & { code?: string };
	if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		const flag = /'([^']+)'/.exec(e.message)?.[1] ?? 'a flag';
		return new CliError(`unknown flag ${flag} for ${where}; see \`npx mycelia ${where === 'mycelia' ? '' : `${where} `}--help\``, EXIT.usage, 'usage');
	}
	return new CliError(e.message, EXIT.usage, 'usage');
}

export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Parsed {
	// First pass: find the command's name, knowing every flag so a flag's value is not taken for it.
	const every: Options = { ...GLOBAL_OPTIONS };
	for (const c of commands) if ('options' in c) Object.assign(every, c.options);
	const { tokens } = parseArgs({ args: [...argv], options: every, strict: false, allowPositionals: true, tokens: true });
	const named = tokens.find((t) => t.kind === 'positional');
	if (!named) {
		let values: Values;
		try {
			values = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, strict: true, allowPositionals: false }).values;
		} catch (err) {
			throw parseError(err, 'mycelia');
		}
		return { command: null, positionals: [], values, help: true };
	}
	const command = commands.find((c) => c.name === named.value);
	if (!command) throw new CliError(`unknown command "${named.value}"; the commands are ${commands.map((c) => c.name).join(', ')} (see \`npx mycelia --help\`)`, EXIT.usage, 'unknown_command');
	const rest = argv.filter((_, i) => i !== named.index);
	if ('runRaw' in command) return { command, argv: rest };
	try {
		const { values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, strict: true, allowPositionals: true });
		return { command, positionals, values, help: values.help === true };
	} catch (err) {
		throw parseError(err, command.name);
	}
}

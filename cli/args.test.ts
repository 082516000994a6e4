import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';
import { submit } from './commands/submit.js';
import { CliError, EXIT } from './exit-codes.js';
import { GLOBAL_OPTIONS } from './globals.js';
import { specFieldOptions } from './spec-args.js';

function usageError(argv: string[], commands: readonly Command[] = COMMANDS): CliError {
	try {
		parseCommandLine(argv, commands);
	} catch (err) {
		expect(err).toBeInstanceOf(CliError);
		expect((err as CliError).exit).toBe(EXIT.usage);
		return err as CliError;
	}
	throw new Error(`${argv.join(' ')} parsed`);
}

describe('parseCommandLine', () => {
	it('finds the command before or after the global flags', () => {
		for (const argv of [['--relay', 'http://r:1', 'status', 'j1', '--json'], ['status', '--json', 'j1', '--relay', 'http://r:1']]) {
			const p = parseCommandLine(argv, COMMANDS);
			if ('argv' in p) throw new Error('a parsed command');
			expect(p.command?.name).toBe('status');
			expect(p.positionals).toEqual(['j1']);
			expect(p.values).toMatchObject({ relay: 'http://r:1', json: true });
		}
	});

	it('takes a kernel field flag as the value of its flag, not as the command or a positional', () => {
		const p = parseCommandLine(['submit', '--width', '128', 'mandelbrot', '--centerIm=-0.5', '--watch'], COMMANDS);
		if ('argv' in p) throw new Error('a parsed command');
		expect(p.command?.name).toBe('submit');
		expect(p.positionals).toEqual(['mandelbrot']);
		expect(p.values).toMatchObject({ width: '128', centerIm: '-0.5', watch: true });
	});

	it('answers help for no command, --help, or a command with --help', () => {
		expect(parseCommandLine([], COMMANDS)).toMatchObject({ command: null, help: true });
		expect(parseCommandLine(['--help'], COMMANDS)).toMatchObject({ command: null, help: true });
		expect(parseCommandLine(['result', '-h'], COMMANDS)).toMatchObject({ command: { name: 'result' }, help: true });
	});

	it('refuses unknown commands and flags in words', () => {
		expect(usageError(['frobnicate']).message).toMatch(/unknown command "frobnicate"; the commands are submit, status, watch, result, cancel, balance, grant, key/);
		expect(usageError(['submit', 'mandelbrot', '--bogus', '1']).message).toMatch(/unknown flag --bogus for submit; see `npx mycelia submit --help`/);
		expect(usageError(['balance', '--out', 'x']).message).toMatch(/unknown flag --out for balance/);
		expect(usageError(['--bogus']).message).toMatch(/unknown flag --bogus for mycelia/);
		// A value starting with a dash must be given after "=" (node:util says how).
		expect(usageError(['submit', 'mandelbrot', '--centerIm', '-0.5']).message).toMatch(/--centerIm=-/);
	});

	it('hands a command that parses its own flags every argument but its name', () => {
		const seen: string[][] = [];
		const raw: Command = { name: 'raw-test', summary: 'contributes', runRaw: async (argv) => (seen.push(argv), 0) };
		const p = parseCommandLine(['--relay', 'http://r:1', 'raw-test', '--threads', '2', '--whatever'], [...COMMANDS, raw]);
		expect(p).toEqual({ command: raw, argv: ['--relay', 'http://r:1', '--threads', '2', '--whatever'] });
	});

	it("no kernel's spec field shares a name with a flag of submit or of every command", () => {
		const taken = new Set([...Object.keys(GLOBAL_OPTIONS), 'spec', 'budget', 'watch']);
		const fields = Object.keys(specFieldOptions());
		expect(fields.length).toBeGreaterThan(0);
		for (const f of fields) expect(taken.has(f), f).toBe(false);
		expect(Object.keys(submit.options)).toEqual(expect.arrayContaining([...fields, 'spec', 'budget', 'watch']));
	});
});

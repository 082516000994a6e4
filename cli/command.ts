// What a command is: its words for --help, its own flags, and what it does with parsed arguments.
import type { ParseArgsConfig } from 'node:util';
import type { Globals } from './globals.js';
import type { Output } from './output.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export interface CommandContext {
	/** Positional arguments after the command's name. */
	positionals: string[];
	/** The command's own flags as parsed (strings and booleans). */
	values: Values;
	globals: Globals;
	out: Output;
	env: NodeJS.ProcessEnv;
}

/** A command whose flags the CLI parses (every command but those that parse their own). */
export interface ParsedCommand {
	name: string;
	/** One line for `mycelia --help`. */
	summary: string;
	/** `mycelia <usage>` in the command's --help. */
	usage: string;
	/** The rest of the command's --help: what it does and its flags, in words. */
	help: string;
	options: Options;
	run(ctx: CommandContext): Promise<void>;
}

/**
 * A command that parses its own flags, global ones and --help included (the headless worker):
 * it gets every argument but its name, and returns its exit code.
 */
export interface RawCommand {
	name: string;
	summary: string;
	runRaw(argv: string[]): Promise<number>;
}

export type Command = ParsedCommand | RawCommand;

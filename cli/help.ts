// `mycelia --help` and `mycelia <command> --help`.
import type { Command, ParsedCommand } from './command.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { GLOBAL_HELP } from './globals.js';

export function mainHelp(commands: readonly Command[]): string {
	const width = Math.max(...commands.map((c) => c.name.length));
	return `Mycelia from a terminal: submit jobs, follow them, get their verified results.

Usage: npx mycelia <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${GLOBAL_HELP}

A flag's value that starts with a dash goes after "=": --centerIm=-0.5.
\`npx mycelia <command> --help\` tells more about each.

${EXIT_CODES_HELP}
`;
}

export function commandHelp(command: ParsedCommand): string {
	return `Usage: npx mycelia ${command.usage}

${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.
${command.help}

${GLOBAL_HELP}

${EXIT_CODES_HELP}
`;
}

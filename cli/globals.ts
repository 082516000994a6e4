// The options every command takes: where the relay is, which key signs, and how to answer.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Options, Values } from './command.js';

export const DEFAULT_RELAY = 'http://127.0.0.1:8787';

export interface Globals {
	relay: string;
	keyFile: string;
	/** Whether --key was given (else the default path, which needs no flag to name). */
	keyGiven: boolean;
	json: boolean;
}

export const GLOBAL_OPTIONS = {
	relay: { type: 'string' },
	key: { type: 'string' },
	json: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' }
} as const satisfies Options;

export const GLOBAL_HELP = `Options for every command:
  --relay URL   the relay (default $MYCELIA_RELAY, else ${DEFAULT_RELAY})
  --key FILE    the key file that signs (default $MYCELIA_KEY, else ~/.config/mycelia/key.json)
  --json        one JSON object on stdout, nothing else there (messages go to stderr)
  --help, -h    this help`;

function defaultKeyFile(env: NodeJS.ProcessEnv): string {
	return env.MYCELIA_KEY || join(env.HOME || homedir(), '.config', 'mycelia', 'key.json');
}

export function globalsOf(values: Values, env: NodeJS.ProcessEnv): Globals {
	const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
	return {
		relay: str('relay') ?? (env.MYCELIA_RELAY || DEFAULT_RELAY),
		keyFile: str('key') ?? defaultKeyFile(env),
		keyGiven: str('key') !== undefined,
		json: values.json === true
	};
}

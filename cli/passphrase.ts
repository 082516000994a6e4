// A backup's passphrase: from $MYCELIA_PASSPHRASE (scripts), else asked on the terminal with
// nothing echoed. Never from a flag, so it stays out of shell history and process lists.
import { CliError, EXIT } from './exit-codes.js';
import type { Streams } from './output.js';

/** Longer than any passphrase a person types; a paste beyond it is cut off, not buffered. */
const PASSPHRASE_CHARS_MAX = 1_024;

function askHidden(streams: Streams, prompt: string): Promise<string> {
	const stdin = streams.stdin as NodeJS.ReadStream;
	return new Promise((resolve, reject) => {
		let typed = '';
		streams.stderr.write(prompt);
		const done = (err: Error | null) => {
			stdin.setRawMode(false);
			stdin.pause();
			stdin.off('data', onData);
			streams.stderr.write('\n');
			if (err) reject(err);
			else resolve(typed);
		};
		const onData = (chunk: Buffer) => {
			for (const ch of chunk.toString('utf8')) {
				if (ch === '\r' || ch === '\n') return done(null);
				if (ch === '\u0003') return done(new CliError('cancelled', EXIT.usage, 'cancelled'));
				if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
				else if (typed.length < PASSPHRASE_CHARS_MAX) typed += ch;
			}
		};
		stdin.setRawMode(true);
		stdin.resume();
		stdin.on('data', onData);
	});
}

/** The passphrase; `confirm` asks twice on a terminal (a new backup's passphrase). */
export async function passphrase(streams: Streams, env: NodeJS.ProcessEnv, opts: { confirm?: boolean } = {}): Promise<string> {
	if (env.MYCELIA_PASSPHRASE) return env.MYCELIA_PASSPHRASE;
	if (!streams.stdin.isTTY || typeof (streams.stdin as NodeJS.ReadStream).setRawMode !== 'function') {
		throw new CliError('a passphrase is needed: set MYCELIA_PASSPHRASE, or run this on a terminal to be asked', EXIT.usage, 'no_passphrase');
	}
	const first = await askHidden(streams, 'Passphrase: ');
	if (opts.confirm && (await askHidden(streams, 'Passphrase again: ')) !== first) throw new CliError('the two passphrases differ', EXIT.usage, 'passphrase_mismatch');
	return first;
}

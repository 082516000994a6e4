// The relay and key a command works with: the key file loaded (or how to make one said), and the
// relay asked for its clock, so a wrong URL ends the command at once with exit code 3.
import { existsSync } from 'node:fs';
import { loadKeyFile, Mycelia, MyceliaError } from '../src/lib/client/index.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Globals } from './globals.js';

export async function connect(globals: Globals): Promise<Mycelia> {
	if (!existsSync(globals.keyFile)) {
		throw new CliError(`no key file at ${globals.keyFile}; create one with \`npx mycelia key create${globals.keyGiven ? ` --key ${globals.keyFile}` : ''}\` (or import one from the app with \`npx mycelia key import FILE\`)`, EXIT.usage, 'no_key');
	}
	const identity = await loadKeyFile(globals.keyFile);
	try {
		return await Mycelia.connect({ relay: globals.relay, identity });
	} catch (err) {
		// Whatever answered there (nothing, or something else than a relay), it is not a relay to use.
		if (err instanceof MyceliaError && err.code !== 'bad_relay_url') throw new CliError(err.message, EXIT.unreachable, 'unreachable');
		throw err;
	}
}

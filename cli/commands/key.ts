import { open, writeFile } from 'node:fs/promises';
import { exportBackup, importBackup, loadKeyFile, newIdentity, saveKeyFile } from '../../src/lib/client/index.js';
import { BACKUP_CHARS_MAX } from '../../src/lib/verify/identity-backup.js';
import type { CommandContext, ParsedCommand } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { passphrase } from '../passphrase.js';

/** Reads at most one byte more than a backup can be, so a wrong file is refused, not read whole. */
async function readBackup(path: string): Promise<string> {
	let file;
	try {
		file = await open(path, 'r');
	} catch (err) {
		throw new CliError(`could not read ${path}: ${(err as Error).message}`, EXIT.usage, 'usage');
	}
	try {
		const buf = Buffer.alloc(BACKUP_CHARS_MAX + 1);
		const { bytesRead } = await file.read(buf, 0, buf.length, 0);
		if (bytesRead > BACKUP_CHARS_MAX) throw new CliError(`${path} is larger than a backup (over ${BACKUP_CHARS_MAX} bytes)`, EXIT.usage, 'usage');
		return buf.subarray(0, bytesRead).toString('utf8');
	} finally {
		await file.close();
	}
}

type Sub = (ctx: CommandContext, args: string[]) => Promise<void>;

const SUBCOMMANDS: Record<string, Sub> = {
	async create({ globals, values, out }) {
		const identity = newIdentity();
		await saveKeyFile(globals.keyFile, identity, { overwrite: values.force === true });
		out.note(`a new key in ${globals.keyFile} (readable by you only); it is your account: keep it, or export a backup with \`npx mycelia key export\``);
		out.answer({ key: identity.publicKeyHex, file: globals.keyFile }, identity.publicKeyHex);
	},
	async show({ globals, out }) {
		const identity = await loadKeyFile(globals.keyFile);
		out.answer({ key: identity.publicKeyHex, file: globals.keyFile }, identity.publicKeyHex);
	},
	async export({ globals, values, out, env }) {
		const identity = await loadKeyFile(globals.keyFile);
		const backup = await exportBackup(identity, await passphrase(out.streams, env, { confirm: true }));
		if (typeof values.out !== 'string') {
			// The backup is the answer itself (with --json, inside it).
			out.answer({ key: identity.publicKeyHex, backup: JSON.parse(backup) as unknown }, backup.trimEnd());
			return;
		}
		try {
			await writeFile(values.out, backup, { mode: 0o600, flag: values.force === true ? 'w' : 'wx' });
		} catch (err) {
			throw new CliError(`could not write ${values.out}: ${(err as Error).message}`, EXIT.usage, 'write_failed');
		}
		out.note(`backup of ${identity.publicKeyHex.slice(0, 12)}… written; import it on the app's My contribution page, or with \`npx mycelia key import ${values.out}\``);
		out.answer({ key: identity.publicKeyHex, file: values.out }, values.out);
	},
	async import({ globals, values, out, env }, args) {
		const [from] = args;
		if (from === undefined || args.length > 1) throw new CliError('key import needs one backup file: mycelia key import FILE', EXIT.usage, 'usage');
		const identity = await importBackup(await readBackup(from), await passphrase(out.streams, env));
		await saveKeyFile(globals.keyFile, identity, { overwrite: values.force === true });
		out.note(`key ${identity.publicKeyHex.slice(0, 12)}… imported into ${globals.keyFile}`);
		out.answer({ key: identity.publicKeyHex, file: globals.keyFile }, identity.publicKeyHex);
	}
};

export const key: ParsedCommand = {
	name: 'key',
	summary: 'create, show, export or import the key that is your account',
	usage: 'key create|show|export|import [FILE] [--out FILE] [--force]',
	help: `Your key is your account (its credits and reputation); --key names its file.
  key create           make a new key file (refuses to replace one unless --force)
  key show             print its public key
  key export           a passphrase-encrypted backup in the app's format (stdout, or --out FILE)
  key import FILE      a backup exported from the app (My contribution) or by key export, into the key file
The passphrase comes from $MYCELIA_PASSPHRASE, else it is asked on the terminal (nothing echoed).`,
	options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
	async run(ctx) {
		const [sub, ...args] = ctx.positionals;
		const run = sub === undefined ? undefined : Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
		if (!run) throw new CliError(`key wants one of ${Object.keys(SUBCOMMANDS).join(', ')}${sub === undefined ? '' : `, not "${sub}"`}`, EXIT.usage, 'usage');
		if (sub !== 'import' && args.length > 0) throw new CliError(`key ${sub} takes no arguments ("${args.join(' ')}")`, EXIT.usage, 'usage');
		await run(ctx, args);
	}
};

// The CLI's exit codes (documented in `mycelia --help` and the README), and the one error type a
// command throws to end with one of them and a message in words.
import { MyceliaError } from '../src/lib/client/index.js';
import { KeyFileError } from '../src/lib/client/key-file.js';
import { IdentityBackupError } from '../src/lib/verify/identity-backup.js';

export const EXIT = {
	ok: 0,
	/** The job failed or was cancelled, or its evidence does not check out. */
	jobFailed: 1,
	/** Unknown command or kernel, a bad flag or spec, no key file. */
	usage: 2,
	/** No Mycelia relay answers at the URL. */
	unreachable: 3,
	/** The relay refused: an unfunded key, a grant already used, not your job… */
	refused: 4,
	/** Anything else: a bug in the CLI. */
	internal: 70
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the job failed or was cancelled, or its evidence does not check out
  2  usage: unknown command or kernel, a bad flag or spec, no key file
  3  the relay could not be reached (or is not a Mycelia relay)
  4  the relay refused: an unfunded key, a grant already used, not your job…
  70 an internal error (a bug: please report it)`;

/** Ends the command with `exit` and `message` on stderr. */
export class CliError extends Error {
	constructor(
		message: string,
		readonly exit: ExitCode,
		readonly code = 'cli'
	) {
		super(message);
		this.name = 'CliError';
	}
}

/** Client-side refusals: the request never reached the relay, or was the caller's to fix. */
const USAGE_CODES = new Set(['unknown_kernel', 'invalid_spec', 'bad_relay_url', 'no_identity']);

/** The exit code of any error a command let through. */
export function exitOf(err: unknown): ExitCode {
	if (err instanceof CliError) return err.exit;
	if (err instanceof KeyFileError || err instanceof IdentityBackupError) return EXIT.usage;
	if (err instanceof MyceliaError) {
		if (err.code === 'network') return EXIT.unreachable;
		if (err.code === 'evidence_failed' || err.code.startsWith('job_')) return EXIT.jobFailed;
		if (USAGE_CODES.has(err.code)) return EXIT.usage;
		return EXIT.refused;
	}
	return EXIT.internal;
}

/** A short code for `--json` error objects. */
export function codeOf(err: unknown): string {
	if (err instanceof CliError || err instanceof MyceliaError) return err.code;
	if (err instanceof KeyFileError) return 'key_file';
	if (err instanceof IdentityBackupError) return `backup_${err.code}`;
	return 'internal';
}

// `npx mycelia worker`: a server (or a laptop's spare cores) contributing headless. The shared
// contributor loop (src/lib/contributor) with one worker thread per slot on the CPU twins, its
// outbox on disk, the browser's limits (threads, CPU share, pause/resume), and a terminal view.
// Signals: SIGUSR1 pauses new work, SIGUSR2 resumes; SIGINT or SIGTERM finishes the tasks in
// hand and leaves (a second one leaves at once: computed results stay in the outbox on disk and
// are uploaded on the next start; tasks not yet computed go back to the queue when their leases
// lapse).
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ContributorLoop } from '../../src/lib/contributor/contributor-loop.js';
import type { Device } from '../../src/lib/protocol/devices.js';
import { WorkGate } from '../../src/lib/contributor/work-gate.js';
import { COMPUTE, REFEREE_STEPS } from '../../src/lib/kernels/compute-registry.js';
import { relayClientPort } from '../../src/lib/relay-api/contributor-port.js';
import { formatCredits } from '../../src/lib/ui/money.js';
import { RelayClient } from '../../src/lib/relay-api/relay-client.js';
import { signReceipt } from '../../src/lib/verify/receipt.js';
import { KeyFileError, loadKeyFile, newIdentity, saveKeyFile, type Identity } from '../../src/lib/client/key-file.js';
import { DiskWorkStore } from './disk-work-store.js';
import { measureDevice } from './device-trials.js';
import { ThreadPool } from './thread-pool.js';
import { WorkerView } from './worker-view.js';

import { DEFAULT_RELAY } from '../globals.js';
const DEFAULT_KEY = join(homedir(), '.config', 'mycelia', 'worker-key.json');
/** How long finishing waits for the tasks in hand (and their partners' commits) before leaving anyway. */
const FINISH_WAIT_MS_MAX = 120_000;
const FINISH_POLL_MS = 250;
/** The account's balance is re-read this often for the view. */
const BALANCE_EVERY_MS = 15_000;
const SHARE_MIN = 10;

const WORKER_USAGE = `npx mycelia worker [--relay URL] [--threads N] [--cpu-share P] [--key FILE] [--data DIR] [--json]

Contributes this machine's CPU cores: computes verified tasks on the CPU twins, one thread per
core, and earns credits for every result another device agrees with.

  --relay URL      the relay (default $MYCELIA_RELAY or ${DEFAULT_RELAY})
  --threads N      worker threads, 1 to ${availableParallelism()} here (default: all cores)
  --cpu-share P    percent of each thread's time to compute, ${SHARE_MIN} to 100 (default 100)
  --key FILE       the worker's key (default $MYCELIA_WORKER_KEY or ${DEFAULT_KEY};
                   created on first run: a key of its own, so it counts as another device)
  --data DIR       where finished results wait until the relay has them
                   (default ~/.local/state/mycelia/worker-<key>)
  --json           one JSON object a line (events and a status every few seconds)

Signals: SIGUSR1 pauses new work, SIGUSR2 resumes, Ctrl-C (SIGINT) or SIGTERM finishes the tasks
in hand and leaves; a second Ctrl-C leaves at once (finished results are kept on disk).
Exit codes: 0 left cleanly, 2 usage, 3 relay unreachable.`;

export interface WorkerArgs {
	relay: string;
	threads: number;
	share: number;
	keyFile: string;
	dataDir: string | null;
	json: boolean;
}

/** Why the arguments cannot be used, in words (exit code 2). */
export class UsageError extends Error {}

export function parseWorkerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WorkerArgs {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				relay: { type: 'string' },
				threads: { type: 'string' },
				'cpu-share': { type: 'string' },
				key: { type: 'string' },
				data: { type: 'string' },
				json: { type: 'boolean', default: false }
			},
			strict: true,
			allowPositionals: false
		}));
	} catch (err) {
		throw new UsageError(err instanceof Error ? err.message : String(err));
	}
	const cores = availableParallelism();
	const int = (text: string | undefined, name: string, min: number, max: number, fallback: number): number => {
		if (text === undefined) return fallback;
		const n = Number(text);
		if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got "${text}"`);
		return n;
	};
	return {
		relay: values.relay ?? env.MYCELIA_RELAY ?? DEFAULT_RELAY,
		threads: int(values.threads, '--threads', 1, cores, cores),
		share: int(values['cpu-share'], '--cpu-share', SHARE_MIN, 100, 100),
		keyFile: values.key ?? env.MYCELIA_WORKER_KEY ?? DEFAULT_KEY,
		dataDir: values.data ?? null,
		json: values.json ?? false
	};
}

/** The worker's key: loaded, or made on first run (only at the default path or one that does not exist yet). */
async function workerKey(path: string, say: (text: string) => void): Promise<Identity> {
	try {
		return await loadKeyFile(path);
	} catch (err) {
		if (!(err instanceof KeyFileError) || !err.missing) throw err;
		const id = newIdentity();
		await saveKeyFile(path, id);
		say(`Created a key for this worker at ${path} (${id.publicKeyHex.slice(0, 12)}…): it is this worker's account; keep it to keep its credits.`);
		return id;
	}
}

/** Runs the worker until a signal ends it; resolves with the exit code. */
export async function runWorker(argv: string[], out: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
	if (argv.includes('--help') || argv.includes('-h')) {
		out.stdout.write(`${WORKER_USAGE}\n`);
		return 0;
	}
	let args: WorkerArgs;
	try {
		args = parseWorkerArgs(argv);
	} catch (err) {
		out.stderr.write(`${(err as Error).message}\n\n${WORKER_USAGE}\n`);
		return 2;
	}
	const view = new WorkerView(out, args.json);
	const identity = await workerKey(args.keyFile, (t) => view.say(t));
	let origin: string;
	try {
		origin = new URL(args.relay).origin;
	} catch {
		out.stderr.write(`"${args.relay}" is not a URL (for example ${DEFAULT_RELAY})\n`);
		return 2;
	}
	const client = new RelayClient({ origin, signer: identity });
	let info;
	try {
		info = await client.info();
	} catch (err) {
		out.stderr.write(`No Mycelia relay at ${origin}: ${err instanceof Error ? err.message : String(err)}\n`);
		return 3;
	}
	const kernels = info.kernels.map((k) => k.id).filter((id) => Object.hasOwn(COMPUTE, id));
	const dataDir = args.dataDir ?? join(homedir(), '.local', 'state', 'mycelia', `worker-${identity.publicKeyHex.slice(0, 16)}`);
	const { store, results } = await DiskWorkStore.open(dataDir, (file, why) => view.say(`Left ${file} in ${dataDir} alone: not a result this worker can read (${why}).`));
	const pool = new ThreadPool(args.threads);
	const gate = new WorkGate<'leaving' | 'paused'>(['leaving', 'paused']);
	let device: Device | null = null;
	const loop = new ContributorLoop({
		relay: relayClientPort(client),
		signer: { publicKeyHex: identity.publicKeyHex, signReceipt: (unsigned) => signReceipt(unsigned, identity.secretKey) },
		compute: {
			// Before the first claim: the relay fits leases to what this machine measured.
			prepare: async () => {
				try {
					device = await measureDevice(pool, kernels);
					view.say(`Measured ${device.kernels?.length ?? 0} kernel classes on the CPU twins (score ${Math.round(device.score)}).`);
				} catch (err) {
					view.say(`Could not measure this machine (${err instanceof Error ? err.message : String(err)}); the relay will size tasks without it.`);
				}
			},
			profile: () => ({ backend: 'cpu', device }),
			compute: (slot, lease, signal) => pool.compute(slot, lease, signal)
		},
		kernels,
		leaseMs: info.leaseMs,
		store,
		gate,
		refereeSteps: REFEREE_STEPS,
		share: () => args.share,
		events: { log: (text, tone) => view.event(text, tone), change: () => view.update(loop) }
	});
	view.say(`Mycelia worker ${identity.publicKeyHex.slice(0, 12)}… on ${origin}: ${args.threads} thread${args.threads === 1 ? '' : 's'} at ${args.share}% CPU share, kernels ${kernels.join(', ')}; results kept in ${dataDir}${results.length ? ` (${results.length} from the last run, uploading)` : ''}.`);

	const balance = async () => {
		try {
			const h = await client.holdings(identity.publicKeyHex);
			view.balance(h.starterMicro > 0 ? `${formatCredits(h.balanceMicro)} cr + ${formatCredits(h.starterMicro)} starter` : `${formatCredits(h.balanceMicro)} cr`);
		} catch {
			// The view keeps the last figure; the loop says when the relay cannot be reached.
		}
	};
	void balance();
	const balanceTimer = setInterval(() => void balance(), BALANCE_EVERY_MS);

	let leaving: 'finish' | 'now' | null = null;
	let wake: (() => void) | null = null;
	const ended = new Promise<void>((resolve) => (wake = resolve));
	const onLeave = (signal: string) => {
		if (leaving === null) {
			leaving = 'finish';
			gate.set('leaving', 'finishing the tasks in hand, then leaving');
			view.say(`${signal}: finishing the tasks in hand, then leaving (again to leave at once; finished results are kept on disk).`);
		} else {
			leaving = 'now';
			view.say(`${signal} again: leaving now.`);
			loop.abortInFlight();
		}
		wake?.();
	};
	const onPause = () => {
		gate.set('paused', 'paused (SIGUSR1); SIGUSR2 resumes');
		view.say('Paused: no new tasks until SIGUSR2 (results in hand are still uploaded).');
		loop.abortInFlight();
	};
	const onResume = () => {
		gate.set('paused', null);
		view.say('Resumed.');
	};
	const onInt = () => onLeave('Ctrl-C');
	const onTerm = () => onLeave('SIGTERM');
	process.on('SIGINT', onInt);
	process.on('SIGTERM', onTerm);
	process.on('SIGUSR1', onPause);
	process.on('SIGUSR2', onResume);

	try {
		await loop.restore();
		if (!(await loop.start(args.threads, async () => ({ workers: args.threads, where: `${args.threads} thread${args.threads === 1 ? '' : 's'} on the CPU twins` })))) {
			out.stderr.write('The worker could not start.\n');
			return 1;
		}
		await ended;
		// Finishing: no new tasks; wait for those in hand to be computed and handed over.
		const deadline = Date.now() + FINISH_WAIT_MS_MAX;
		while (leaving === 'finish' && Date.now() < deadline && (loop.busy > 0 || loop.awaitingReveal > 0 || loop.unsent > 0)) {
			await new Promise((r) => setTimeout(r, FINISH_POLL_MS));
		}
		await loop.stop({ reveal: leaving === 'finish' });
		await balance();
		view.done(loop, store ? dataDir : null);
		return 0;
	} finally {
		clearInterval(balanceTimer);
		process.off('SIGINT', onInt);
		process.off('SIGTERM', onTerm);
		process.off('SIGUSR1', onPause);
		process.off('SIGUSR2', onResume);
		view.close();
		await pool.close();
	}
}

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** Where this process builds its relay bundle (ignored with node_modules; removed on exit). */
const BUNDLE_DIR = join('node_modules', '.cache', `mycelia-relay-${process.pid}`);
let bundled: string | null = null;

/**
 * Bundles relay/main.ts into one ES module (dependencies stay external) next to a copy of the
 * migrations it reads. Starting that takes about 1.3 s instead of 2 s under tsx, which is most
 * of a crash-soak round. Built once per process, from the current sources.
 */
function relayBundle(): string {
	if (bundled) return bundled;
	rmSync(BUNDLE_DIR, { recursive: true, force: true });
	mkdirSync(BUNDLE_DIR, { recursive: true });
	const outfile = join(BUNDLE_DIR, 'main.mjs');
	buildSync({ entryPoints: ['relay/main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
	cpSync(join('relay', 'store', 'migrations'), join(BUNDLE_DIR, 'migrations'), { recursive: true });
	bundled = outfile;
	process.once('exit', () => rmSync(BUNDLE_DIR, { recursive: true, force: true }));
	return outfile;
}

export interface RelayProcess {
	child: ChildProcess;
	url: string;
	/** Sends `signal` and resolves when the process has exited. */
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** The last few KB the process wrote to stderr (why it died, when it did). */
	stderrTail(): string;
}

/**
 * The real relay (bundled, see relayBundle) as a child process, run under node (not npx) so signals reach it; resolves
 * with the URL it prints, or null if it exits or stays silent for `timeoutMs`. `nodeArgs` lets
 * a profiler ride along, e.g. `--cpu-prof`.
 */
export function spawnRelay(env: Record<string, string>, opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<RelayProcess | null> {
	const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), relayBundle()], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let err = '';
	child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
	const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill(signal);
		});
	return new Promise((resolve) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			console.error(`relay printed no URL within ${opts.timeoutMs ?? 60_000} ms:\n${err}`);
			resolve(null);
		}, opts.timeoutMs ?? 60_000);
		child.stdout?.on('data', (d: Buffer) => {
			out += d.toString();
			const m = /listening on (http:\/\/\S+)/.exec(out);
			if (m?.[1]) {
				clearTimeout(timer);
				resolve({ child, url: m[1], stop, stderrTail: () => err });
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			if (!/listening on/.test(out)) {
				console.error(`relay exited with ${code} before it listened:\n${err}`);
				resolve(null);
			}
		});
	});
}

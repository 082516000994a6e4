import { spawn, type ChildProcess } from 'node:child_process';

export interface RelayProcess {
	child: ChildProcess;
	url: string;
	/** Sends `signal` and resolves when the process has exited. */
	stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The real relay as a child process, run under node (not npx) so signals reach it; resolves
 * with the URL it prints, or null if it exits or stays silent for `timeoutMs`. `nodeArgs` lets
 * a profiler ride along, e.g. `--cpu-prof`.
 */
export function spawnRelay(env: Record<string, string>, opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<RelayProcess | null> {
	const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'relay/main.ts'], {
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
				resolve({ child, url: m[1], stop });
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

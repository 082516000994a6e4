// The wall clock and an abortable sleep: the loop's default Clock (ports.ts).
import type { Clock } from './ports.js';

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise<void>((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
	});
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

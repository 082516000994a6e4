/** A background job of the relay's that runs every so often and can be stopped cleanly. */
export interface Periodic {
	/** Stops the timer and waits for a run in progress. */
	stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`, never two at once (a run still going skips the tick), logging
 * failures instead of throwing them. The timer does not keep the process alive.
 */
export function startPeriodic(what: string, intervalMs: number, work: () => Promise<void>, log: (msg: string) => void): Periodic {
	let running: Promise<void> = Promise.resolve();
	let busy = false;
	const timer = setInterval(() => {
		if (busy) return;
		busy = true;
		running = work()
			.catch((err: unknown) => log(`${what} failed: ${(err as Error).message}`))
			.finally(() => {
				busy = false;
			});
	}, intervalMs);
	timer.unref();
	return {
		async stop() {
			clearInterval(timer);
			await running;
		}
	};
}

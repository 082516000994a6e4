import type { RelayContext } from '../context.js';
import { publishSettled } from '../events/publish-settled.js';
import { LAPSED_DISPUTES_PER_SWEEP, settleLapsedDisputes } from './dispute-timeouts.js';

/** How often lapsed dispute rounds are settled. */
export const DISPUTE_SWEEP_MS = 1_000;
/** Batches per sweep, so a backlog drains without holding the database. */
const SWEEP_BATCHES_MAX = 4;

export interface DisputeSweeper {
	stop(): Promise<void>;
}

export function startDisputeSweeper(ctx: RelayContext, log: (msg: string) => void = () => {}): DisputeSweeper {
	let running: Promise<void> = Promise.resolve();
	let busy = false;
	const sweep = async () => {
		for (let i = 0; i < SWEEP_BATCHES_MAX; i++) {
			const { settled, events, finishedJobs } = await settleLapsedDisputes(ctx.db, Date.now());
			await publishSettled(ctx, events, finishedJobs);
			if (settled < LAPSED_DISPUTES_PER_SWEEP) return;
		}
	};
	const timer = setInterval(() => {
		if (busy) return;
		busy = true;
		running = sweep()
			.catch((err: unknown) => log(`settling lapsed disputes failed: ${(err as Error).message}`))
			.finally(() => {
				busy = false;
			});
	}, DISPUTE_SWEEP_MS);
	timer.unref();
	return {
		async stop() {
			clearInterval(timer);
			await running;
		}
	};
}

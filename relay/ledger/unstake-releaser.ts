import type { Db } from '../store/db.js';
import { RELEASE_BATCH_MAX, releaseDueUnstakes } from './stakes.js';

/** How often due unstakes are returned to balances (a key's own writes also release its due ones). */
export const RELEASE_INTERVAL_MS = 5_000;
/** Batches per sweep: a backlog drains over several sweeps instead of holding the database. */
const SWEEP_BATCHES_MAX = 10;

export interface UnstakeReleaser {
	stop(): Promise<void>;
}

export function startUnstakeReleaser(db: Db, log: (msg: string) => void = () => {}): UnstakeReleaser {
	let running: Promise<void> = Promise.resolve();
	let busy = false;
	const sweep = async () => {
		for (let i = 0; i < SWEEP_BATCHES_MAX; i++) {
			const n = await db.transaction((tx) => releaseDueUnstakes(tx, Date.now()));
			if (n < RELEASE_BATCH_MAX) return;
		}
	};
	const timer = setInterval(() => {
		if (busy) return;
		busy = true;
		running = sweep()
			.catch((err: unknown) => log(`releasing unstakes failed: ${(err as Error).message}`))
			.finally(() => {
				busy = false;
			});
	}, RELEASE_INTERVAL_MS);
	timer.unref();
	return {
		async stop() {
			clearInterval(timer);
			await running;
		}
	};
}

import type { Db } from '../store/db.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { RELEASE_BATCH_MAX, releaseDueUnstakes } from './stakes.js';

/** How often due unstakes are returned to balances (a key's own writes also release its due ones). */
const RELEASE_INTERVAL_MS = 5_000;
/** Batches per sweep: a backlog drains over several sweeps instead of holding the database. */
const SWEEP_BATCHES_MAX = 10;

export function startUnstakeReleaser(db: Db, log: (msg: string) => void = () => {}): Periodic {
	return startPeriodic(
		'releasing unstakes',
		RELEASE_INTERVAL_MS,
		async () => {
			for (let i = 0; i < SWEEP_BATCHES_MAX; i++) {
				const n = await db.transaction((tx) => releaseDueUnstakes(tx, Date.now()));
				if (n < RELEASE_BATCH_MAX) return;
			}
		},
		log
	);
}

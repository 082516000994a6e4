import type { RelayContext } from '../context.js';
import { publishSettled } from '../events/publish-settled.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { LAPSED_DISPUTES_PER_SWEEP, settleLapsedDisputes } from './dispute-timeouts.js';

/** How often lapsed dispute rounds are settled. */
const DISPUTE_SWEEP_MS = 1_000;
/** Batches per sweep, so a backlog drains without holding the database. */
const SWEEP_BATCHES_MAX = 4;

export function startDisputeSweeper(ctx: RelayContext, log: (msg: string) => void = () => {}): Periodic {
	return startPeriodic(
		'settling lapsed disputes',
		DISPUTE_SWEEP_MS,
		async () => {
			for (let i = 0; i < SWEEP_BATCHES_MAX; i++) {
				const { settled, events, finishedJobs } = await settleLapsedDisputes(ctx.db, Date.now());
				await publishSettled(ctx, events, finishedJobs);
				if (settled < LAPSED_DISPUTES_PER_SWEEP) return;
			}
		},
		log
	);
}

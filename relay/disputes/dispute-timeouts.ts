import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { Db } from '../store/db.js';
import { int } from '../store/db.js';
import { DISPUTE_COLUMNS, type DisputeRow } from './dispute-row.js';
import { settleDispute } from './settle-dispute.js';

/** Lapsed disputes settled per sweep; a backlog drains over the next sweeps. */
export const LAPSED_DISPUTES_PER_SWEEP = 32;

/**
 * A side that does not answer a round before its deadline loses; if neither answered, neither
 * wins. Referee assignments are not timed out here: a lapsed one goes to the next referee.
 */
export async function settleLapsedDisputes(db: Db, now: number): Promise<{ settled: number; events: JobEvent[]; finishedJobs: string[] }> {
	return db.transaction(async (tx) => {
		const lapsed = await tx.query<DisputeRow>(
			`SELECT ${DISPUTE_COLUMNS} FROM disputes WHERE state = 'bisecting' AND deadline <= $1 ORDER BY deadline
			LIMIT ${LAPSED_DISPUTES_PER_SWEEP} FOR UPDATE SKIP LOCKED`,
			[now]
		);
		const events: JobEvent[] = [];
		const finishedJobs: string[] = [];
		for (const d of lapsed) {
			const a = d.leaf_a !== null;
			const b = d.leaf_b !== null;
			const winner = a && !b ? 'a' : b && !a ? 'b' : 'neither';
			const round = int(d.rounds) + 1;
			const reason =
				winner === 'neither' ? `neither side answered round ${round} in time` : `side ${winner === 'a' ? 'B' : 'A'} did not answer round ${round} in time`;
			const out = await settleDispute(tx, d, winner, reason, now);
			events.push(...out.events);
			finishedJobs.push(...out.finishedJobs);
		}
		return { settled: lapsed.length, events, finishedJobs };
	});
}

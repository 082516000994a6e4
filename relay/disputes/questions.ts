import { DISPUTE_QUESTIONS_MAX } from '../../src/lib/protocol/limits.js';
import type { DisputeQuestion } from '../../src/lib/protocol/disputes.js';
import { int, type Sql } from '../store/db.js';

/**
 * This round's open questions for a key ($1, at $2 = now): one per dispute it is a side of and
 * has not yet answered, soonest deadline first.
 */
export const QUESTIONS_SQL = `SELECT id, CASE WHEN worker_a = $1 THEN lease_a ELSE lease_b END AS lease, task_id, ask, steps, deadline FROM disputes
		WHERE state = 'bisecting' AND deadline > $2
			AND ((worker_a = $1 AND leaf_a IS NULL) OR (worker_b = $1 AND leaf_b IS NULL))
		ORDER BY deadline LIMIT ${DISPUTE_QUESTIONS_MAX}`;

export interface QuestionRow {
	id: string;
	lease: string;
	task_id: string;
	ask: unknown;
	steps: unknown;
	deadline: unknown;
}

export const toQuestion = (r: QuestionRow): DisputeQuestion => ({
	disputeId: r.id,
	leaseId: r.lease,
	taskId: r.task_id,
	index: int(r.ask),
	steps: int(r.steps),
	deadline: int(r.deadline)
});

export async function questionsFor(db: Sql, worker: string, now: number): Promise<DisputeQuestion[]> {
	return (await db.query<QuestionRow>(QUESTIONS_SQL, [worker, now])).map(toQuestion);
}

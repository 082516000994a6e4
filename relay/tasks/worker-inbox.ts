import type { DisputeQuestion } from '../../src/lib/protocol/disputes.js';
import { QUESTIONS_SQL, toQuestion, type QuestionRow } from '../disputes/questions.js';
import type { Sql } from '../store/db.js';
import { ABANDON_CTES } from '../trust/abandonment.js';
import { REVEALABLE_SQL } from './reveal-list.js';

/**
 * What a claim response tells a key besides its new leases, in one statement: its lapsed
 * commitments are settled (trust/abandonment.ts), then which of its commitments may be revealed
 * and which dispute questions it must answer. (The statement sees the database as it was before
 * its own writes; the lapsed commitments it settles were not revealable anyway.)
 */
export async function workerInbox(db: Sql, worker: string, now: number): Promise<{ reveal: string[]; questions: DisputeQuestion[] }> {
	const rows = await db.query<{ kind: 'reveal' | 'question' } & Partial<QuestionRow> & { id: string; ord: unknown }>(
		`WITH ${ABANDON_CTES},
		revealable AS (${REVEALABLE_SQL}),
		questions AS (${QUESTIONS_SQL})
		SELECT * FROM (
			SELECT 'reveal' AS kind, r.id, NULL::text AS lease, NULL::text AS task_id, NULL::int AS ask, NULL::int AS steps, NULL::bigint AS deadline,
				row_number() OVER () AS ord FROM revealable r
			UNION ALL
			SELECT 'question', q.id, q.lease, q.task_id, q.ask, q.steps, q.deadline, row_number() OVER () FROM questions q
			UNION ALL
			-- Makes the lapsed-commitment CTEs run even when nothing is listed; filtered out below.
			SELECT 'withheld', NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM withheld
		) x WHERE kind <> 'withheld'
		ORDER BY kind, ord`,
		[worker, now]
	);
	return {
		reveal: rows.filter((r) => r.kind === 'reveal').map((r) => r.id),
		questions: rows.filter((r) => r.kind === 'question').map((r) => toQuestion(r as QuestionRow))
	};
}

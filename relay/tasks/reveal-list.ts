import { REVEALS_LISTED_MAX } from '../../src/lib/protocol/limits.js';

/** Counts the replicas of task `t` that are bound: a submitted result, or an unexpired commitment. */
export const BOUND_REPLICAS_SQL = (task: string, now: string) =>
	`(SELECT count(*) FROM leases p WHERE p.task_id = ${task} AND (p.state = 'submitted' OR (p.state = 'committed' AND p.expires_at > ${now})))`;

/**
 * This key's committed leases that may be revealed now: every replica their task wants is bound,
 * so no answer can be copied any more. Oldest commitments first, at most REVEALS_LISTED_MAX.
 * For $1 = the key and $2 = now; an EXISTS, not a join, so the plan walks this key's few
 * commitments, never the open tasks.
 */
export const REVEALABLE_SQL = `SELECT l.id FROM leases l
		WHERE l.worker = $1 AND l.state = 'committed' AND l.expires_at > $2
			AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.task_id AND t.state = 'open' AND ${BOUND_REPLICAS_SQL('t.id', '$2')} >= t.replicas_wanted)
		ORDER BY l.committed_at, l.id LIMIT ${REVEALS_LISTED_MAX}`;

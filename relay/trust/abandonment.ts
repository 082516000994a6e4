/**
 * Commitments this key let expire without revealing them. Where every other replica of the task
 * had committed by then, the key withheld an answer it had promised: a crash, or a cheater
 * holding back a lie once it saw the task was checked. That costs the key its streak (so its
 * work is replicated again) but no stake, since an honest device can die mid-task, and the lease
 * becomes `abandoned` (the key may not take that task again). Where some replica had not
 * committed yet, nothing was withheld: the lease becomes `lapsed` and the key may take the task
 * again. Settled in one statement when the key next claims.
 *
 * The CTEs that settle lapsed commitments, for $1 = the key and $2 = now; `withheld` lists the
 * ones that withheld an answer. Shared with the claim's inbox statement (tasks/worker-inbox.ts).
 */
export const ABANDON_CTES = `gone AS (
			-- Withheld when the reveal was open for it: every other wanted replica was bound (committed
			-- before this one lapsed, and still held or revealed after this one committed).
			UPDATE leases g SET state = CASE WHEN (
				SELECT count(*) FROM leases p
				WHERE p.task_id = g.task_id AND p.id <> g.id AND p.committed_at <= g.expires_at
					AND (p.state = 'submitted' OR p.expires_at > g.committed_at)
			) >= (SELECT t.replicas_wanted - 1 FROM tasks t WHERE t.id = g.task_id) THEN 'abandoned' ELSE 'lapsed' END
			WHERE g.worker = $1 AND g.state = 'committed' AND g.expires_at <= $2
			RETURNING g.id, g.task_id, g.expires_at, g.state
		), withheld AS (
			SELECT g.id, g.task_id, t.job_id, t.idx FROM gone g JOIN tasks t ON t.id = g.task_id WHERE g.state = 'abandoned'
		), streak AS (
			UPDATE reputations SET valid_streak = 0, updated_at = $2 WHERE key = $1 AND EXISTS (SELECT 1 FROM withheld)
		), abandon_events AS (
			INSERT INTO trust_events (id, key, kind, job_id, task_id, amount_micro, detail, created_at)
			SELECT 'abandoned:' || w.id, $1, 'abandoned', w.job_id, w.task_id, 0,
				'committed to a result for tile ' || w.idx || ' and never revealed it after every replica had committed', $2
			FROM withheld w
			ON CONFLICT (id) DO NOTHING
		)`;

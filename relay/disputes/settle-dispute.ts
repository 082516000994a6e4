import { QUORUM } from '../../src/lib/protocol/limits.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { int, type Sql } from '../store/db.js';
import { penalizeInvalid } from '../trust/penalize.js';
import { addTrustEvents } from '../trust/reputation.js';
import type { DisputeRow } from './dispute-row.js';

export type Winner = 'a' | 'b' | 'neither';

/**
 * Ends a dispute in the caller's transaction. The loser is treated as an invalid result (streak
 * reset, slash, backtrack) and its result no longer counts. The winner is only shown right at
 * the first step the two parted on, which proves nothing when both lied, so its result is not
 * accepted on that alone: it stays as one vote, and one more replica (a trusted referee's, when
 * there is one) must agree with it. With no winner (the referee's state matches neither side,
 * or both went silent) both are invalid and the task is replicated afresh. Settling twice does
 * nothing the second time.
 */
export async function settleDispute(tx: Sql, d: DisputeRow, winner: Winner, reason: string, now: number): Promise<{ events: JobEvent[]; finishedJobs: string[] }> {
	const [settled] = await tx.query<{ id: string }>(
		`UPDATE disputes SET state = 'settled', winner = $2, reason = $3, settled_at = $4, ask = NULL WHERE id = $1 AND state <> 'settled' RETURNING id`,
		[d.id, winner, reason, now]
	);
	if (!settled) return { events: [], finishedJobs: [] };
	const [task] = await tx.query<{ idx: unknown; price_micro: unknown; state: string }>('SELECT idx, price_micro, state FROM tasks WHERE id = $1 FOR UPDATE', [d.task_id]);
	if (!task || task.state !== 'open') return { events: [], finishedJobs: [] };
	const idx = int(task.idx);
	const losers = winner === 'neither' ? [d.worker_a, d.worker_b] : [winner === 'a' ? d.worker_b : d.worker_a];
	const voided = winner === 'neither' ? [d.lease_a, d.lease_b] : [winner === 'a' ? d.lease_b : d.lease_a];
	if (winner !== 'neither') {
		const w = winner === 'a' ? d.worker_a : d.worker_b;
		const detail = `won dispute ${d.id} over tile ${idx}: ${reason}; one more replica must agree before it is paid`;
		await addTrustEvents(tx, [{ id: `dispute-won:${d.id}`, key: w, kind: 'dispute', jobId: d.job_id, taskId: d.task_id, amountMicro: 0, detail }], now);
	}
	const events: JobEvent[] = [];
	for (const worker of losers) {
		const why = winner === 'neither' ? `neither side of dispute ${d.id} over tile ${idx} held: ${reason}` : `lost dispute ${d.id} over tile ${idx}: ${reason}`;
		events.push(...(await penalizeInvalid(tx, { worker, taskId: d.task_id, jobId: d.job_id, idx, priceMicro: int(task.price_micro), why }, now)).events);
	}
	await tx.query(`UPDATE results SET verdict = 'voided' WHERE lease_id = ANY($1::text[])`, [voided]);
	await tx.query(`UPDATE leases SET state = 'voided' WHERE id = ANY($1::text[])`, [voided]);
	// The confirming replica is a trusted referee's when there is one: a cartel cannot confirm its own.
	await tx.query(
		`UPDATE tasks SET replicas_wanted = ${QUORUM}, single_worker = NULL, referee_only = EXISTS (SELECT 1 FROM trusted_keys), claimable_after = 0 WHERE id = $1`,
		[d.task_id]
	);
	return { events, finishedJobs: [] };
}

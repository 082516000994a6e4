import { QUORUM } from '../../src/lib/protocol/limits.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { int, type Sql } from '../store/db.js';
import { applyDecisions } from '../tasks/apply-decisions.js';
import { penalizeInvalid } from '../trust/penalize.js';
import { addTrustEvents } from '../trust/reputation.js';
import type { DisputeRow } from './dispute-row.js';

export type Winner = 'a' | 'b' | 'neither';

/**
 * Ends a dispute in the caller's transaction. A winner's result is accepted and paid like any
 * accepted tile, and the loser is treated as an invalid result (streak reset, slash, backtrack).
 * With no winner (the referee's state matches neither side, or both sides went silent) both are
 * invalid, their results and leases are voided and the task is replicated afresh. Settling twice
 * does nothing the second time.
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
	if (winner !== 'neither') {
		const [w, l] = winner === 'a' ? [d.worker_a, d.worker_b] : [d.worker_b, d.worker_a];
		const [result] = await tx.query<{ sha256: string }>('SELECT sha256 FROM results WHERE lease_id = $1', [winner === 'a' ? d.lease_a : d.lease_b]);
		if (!result) throw new Error(`dispute ${d.id}: the winner's result is missing`);
		await addTrustEvents(
			tx,
			[{ id: `dispute-won:${d.id}`, key: w, kind: 'dispute', jobId: d.job_id, taskId: d.task_id, amountMicro: 0, detail: `won dispute ${d.id} over tile ${idx}: ${reason}` }],
			now
		);
		const why = `lost dispute ${d.id} over tile ${idx}: ${reason}`;
		const { events, finishedJobs } = await applyDecisions(tx, new Map([[d.task_id, { kind: 'accept', sha256: result.sha256, payees: [w], agreeing: [w], rejected: [l], why }]]), now);
		return { events, finishedJobs };
	}
	const events: JobEvent[] = [];
	for (const worker of [d.worker_a, d.worker_b]) {
		const why = `neither side of dispute ${d.id} over tile ${idx} held: ${reason}`;
		events.push(...(await penalizeInvalid(tx, { worker, taskId: d.task_id, jobId: d.job_id, idx, priceMicro: int(task.price_micro), why }, now)).events);
	}
	await tx.query(`UPDATE results SET verdict = 'voided' WHERE lease_id = ANY($1::text[])`, [[d.lease_a, d.lease_b]]);
	await tx.query(`UPDATE leases SET state = 'voided' WHERE id = ANY($1::text[])`, [[d.lease_a, d.lease_b]]);
	await tx.query(`UPDATE tasks SET replicas_wanted = ${QUORUM}, single_worker = NULL, referee_only = false, claimable_after = 0 WHERE id = $1`, [d.task_id]);
	return { events, finishedJobs: [] };
}

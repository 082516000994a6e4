import { QUORUM } from '../../src/lib/protocol/limits.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { escrowAccount, transferIds } from '../ledger/account-ids.js';
import { holdingFor, isFunding, type Funding } from '../ledger/funding.js';
import { slash } from '../ledger/stakes.js';
import { lockBalances, transferMany, type Transfer } from '../ledger/transfer.js';
import { int, type Sql } from '../store/db.js';
import { BACKTRACK_RESULTS_MAX, SLASH_PRICE_MULTIPLE } from './policy.js';
import { addTrustEvents, recordInvalid, type TrustEventRow } from './reputation.js';

/** A result outvoted by a quorum that agreed on another hash. */
export interface InvalidResult {
	worker: string;
	taskId: string;
	jobId: string;
	idx: number;
	priceMicro: number;
	/** Why it was found invalid, in words (default: outvoted by a quorum). */
	why?: string;
}

/**
 * What happens to a key caught with an invalid result, in the settling transaction: its streak
 * resets (so everything it takes is replicated again), its stake is slashed, and its recent
 * results that were accepted on its word alone are re-examined (backtracking): each payout is
 * clawed back, and the tile is reopened for replicated work while its job runs and the full
 * payout came back, or voided otherwise. All of it is ledger entries and trust events. Every
 * lease the key still holds is revoked, so its tasks are handed to others straight away.
 */
export async function penalizeInvalid(tx: Sql, invalid: InvalidResult, now: number): Promise<{ events: JobEvent[] }> {
	const { clawedBackMicro, events, trustEvents } = await backtrack(tx, invalid.worker, now);
	const slashedMicro = await slash(tx, invalid.worker, SLASH_PRICE_MULTIPLE * invalid.priceMicro, invalid.taskId, invalid.jobId, now);
	trustEvents.unshift({
		id: `invalid:${invalid.taskId}:${invalid.worker}`,
		key: invalid.worker,
		kind: 'invalid',
		jobId: invalid.jobId,
		taskId: invalid.taskId,
		amountMicro: 0,
		detail: invalid.why ?? `result for tile ${invalid.idx} disagreed with the hash ${QUORUM} other keys agreed on`
	});
	if (slashedMicro > 0) {
		trustEvents.push({
			id: `slash:${invalid.taskId}:${invalid.worker}`,
			key: invalid.worker,
			kind: 'slash',
			jobId: invalid.jobId,
			taskId: invalid.taskId,
			amountMicro: slashedMicro,
			detail: `stake slashed for the invalid result on tile ${invalid.idx} (${SLASH_PRICE_MULTIPLE}× its price, at most the stake)`
		});
	}
	await recordInvalid(tx, invalid.worker, slashedMicro, clawedBackMicro, now);
	await addTrustEvents(tx, trustEvents, now);
	// Its other tasks in hand go back to the queue at once instead of waiting out their leases.
	await tx.query(
		`WITH revoked AS (UPDATE leases SET state = 'revoked' WHERE worker = $1 AND state IN ('active', 'committed') RETURNING task_id)
		UPDATE tasks SET claimable_after = 0 WHERE id IN (SELECT task_id FROM revoked)`,
		[invalid.worker]
	);
	return { events };
}

interface SuspectRow {
	task_id: string;
	job_id: string;
	idx: unknown;
	lease_id: string;
	job_state: string;
	requester: string;
	funding: string;
	tasks: unknown;
	paid: unknown;
}

async function backtrack(tx: Sql, worker: string, now: number): Promise<{ clawedBackMicro: number; events: JobEvent[]; trustEvents: TrustEventRow[] }> {
	const suspects = await tx.query<SuspectRow>(
		`SELECT t.id AS task_id, t.job_id, t.idx, r.lease_id, j.state AS job_state, j.requester, j.funding, j.tasks, coalesce(p.amount_micro, 0) AS paid
		FROM results r JOIN tasks t ON t.id = r.task_id JOIN jobs j ON j.id = t.job_id
		LEFT JOIN transfers p ON p.id = 'payout:' || t.id || ':' || r.worker
		WHERE r.worker = $1 AND r.verdict = 'agreed' AND t.single_worker = $1 AND t.state = 'accepted'
		ORDER BY r.seq DESC LIMIT ${BACKTRACK_RESULTS_MAX}
		FOR UPDATE OF t`,
		[worker]
	);
	if (suspects.length === 0) return { clawedBackMicro: 0, events: [], trustEvents: [] };
	// A payout is clawed back from the holding it was paid into (starter credits or balance).
	const holdings: Funding[] = ['balance', 'starter'];
	const locked = await lockBalances(tx, holdings.map((f) => holdingFor(f, worker)));
	const available = new Map(holdings.map((f) => [f, locked.get(holdingFor(f, worker)) ?? 0]));
	const transfers: Transfer[] = [];
	const trustEvents: TrustEventRow[] = [];
	const reopen: string[] = [];
	const voided: string[] = [];
	const runningDelta = new Map<string, { done: number; failed: number }>();
	let clawedBackMicro = 0;
	for (const s of suspects) {
		const paid = int(s.paid);
		const funding: Funding = isFunding(s.funding) ? s.funding : 'balance';
		const back = Math.min(paid, available.get(funding) ?? 0);
		available.set(funding, (available.get(funding) ?? 0) - back);
		clawedBackMicro += back;
		const running = s.job_state === 'running';
		// Reopening needs the whole payout back: the escrow then holds what a replicated re-run pays.
		const canReopen = running && back === paid;
		(canReopen ? reopen : voided).push(s.task_id);
		if (running) {
			const d = runningDelta.get(s.job_id) ?? { done: 0, failed: 0 };
			d.done -= 1;
			if (!canReopen) d.failed += 1;
			runningDelta.set(s.job_id, d);
		}
		if (back > 0) {
			transfers.push({
				id: transferIds.clawback(s.task_id, worker),
				debit: holdingFor(funding, worker),
				credit: running ? escrowAccount(s.job_id) : holdingFor(funding, s.requester),
				amountMicro: back,
				reason: 'clawback',
				jobId: s.job_id,
				taskId: s.task_id
			});
		}
		trustEvents.push({
			id: `${canReopen ? 'clawback' : 'voided'}:${s.task_id}:${worker}`,
			key: worker,
			kind: canReopen ? 'clawback' : 'voided',
			jobId: s.job_id,
			taskId: s.task_id,
			amountMicro: back,
			detail: canReopen
				? `tile ${int(s.idx)} was accepted on this key's word alone; payout clawed back and the tile sent for replicated work`
				: `tile ${int(s.idx)} was accepted on this key's word alone; ${back === paid ? 'payout' : `${back} of ${paid} µcr`} clawed back to ${running ? 'the escrow' : 'the requester'} and the tile voided`
		});
	}
	// The cheater's results and leases stop counting; its key may not take these tiles again.
	await tx.query(`UPDATE results SET verdict = 'voided' WHERE lease_id = ANY($1::text[])`, [suspects.map((s) => s.lease_id)]);
	await tx.query(`UPDATE leases SET state = 'voided' WHERE id = ANY($1::text[])`, [suspects.map((s) => s.lease_id)]);
	if (reopen.length > 0) {
		await tx.query(
			`UPDATE tasks SET state = 'open', replicas_wanted = ${QUORUM}, single_worker = NULL, accepted_hash = NULL, claimable_after = 0 WHERE id = ANY($1::text[])`,
			[reopen]
		);
	}
	if (voided.length > 0) await tx.query(`UPDATE tasks SET state = 'voided', accepted_hash = NULL WHERE id = ANY($1::text[])`, [voided]);
	const counts = new Map<string, { done: number; tasks: number }>();
	for (const [jobId, d] of runningDelta) {
		const [row] = await tx.query<{ tasks_done: unknown; tasks: unknown }>(
			'UPDATE jobs SET tasks_done = tasks_done + $2, tasks_failed = tasks_failed + $3 WHERE id = $1 RETURNING tasks_done, tasks',
			[jobId, d.done, d.failed]
		);
		if (row) counts.set(jobId, { done: int(row.tasks_done), tasks: int(row.tasks) });
	}
	await transferMany(tx, transfers, now);
	const events: JobEvent[] = suspects
		.filter((s) => s.job_state === 'running')
		.map((s) => {
			const c = counts.get(s.job_id) ?? { done: 0, tasks: int(s.tasks) };
			return { type: 'task', jobId: s.job_id, idx: int(s.idx), state: reopen.includes(s.task_id) ? 'open' : 'voided', sha256: null, tasksDone: c.done, tasks: c.tasks };
		});
	return { clawedBackMicro, events, trustEvents };
}

import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { SubmitResponse } from '../../src/lib/protocol/leases.js';
import { escrowAccount, FEE_ACCOUNT, transferIds, userAccount } from '../ledger/account-ids.js';
import { transfer } from '../ledger/transfer.js';
import { finishJob } from '../jobs/finish-job.js';
import { taskFeeMicro } from '../jobs/pricing.js';
import { int, type Sql } from '../store/db.js';
import type { QuorumDecision } from './quorum.js';

export interface Settlement {
	taskEvent: JobEvent | null;
	jobFinished: boolean;
	verdictFor(worker: string): SubmitResponse['verdict'];
	paidTo(worker: string): number;
}

/**
 * Applies a quorum decision inside the submitting transaction: verdicts on results, payouts to
 * the agreeing quorum and the fee from escrow (deterministic ids), the job's progress, and the
 * refund when the last task closes.
 */
export async function settleDecision(tx: Sql, ids: { taskId: string; jobId: string }, decision: QuorumDecision, now: number): Promise<Settlement> {
	const { taskId, jobId } = ids;
	const paid = new Map<string, number>();
	const base = { jobFinished: false, paidTo: (w: string) => paid.get(w) ?? 0 };

	if (decision.kind === 'pending') return { ...base, taskEvent: null, verdictFor: () => 'pending' };
	if (decision.kind === 'dispute') {
		await tx.query('UPDATE tasks SET replicas_wanted = $2 WHERE id = $1', [taskId, decision.replicasWanted]);
		return { ...base, taskEvent: null, verdictFor: () => 'disputed' };
	}

	const accepted = decision.kind === 'accept';
	const [task] = await tx.query<{ price_micro: unknown; fee_bps: unknown; idx: unknown }>(
		`UPDATE tasks t SET state = $2, accepted_hash = $3 FROM jobs j WHERE t.id = $1 AND j.id = t.job_id AND t.state = 'open'
		RETURNING t.price_micro, j.fee_bps, t.idx`,
		[taskId, accepted ? 'accepted' : 'failed', accepted ? decision.sha256 : null]
	);
	if (!task) throw new Error(`task ${taskId} was settled twice`);
	if (accepted) {
		await tx.query(`UPDATE results SET verdict = CASE WHEN sha256 = $2 THEN 'agreed' ELSE 'rejected' END WHERE task_id = $1`, [taskId, decision.sha256]);
		const price = int(task.price_micro);
		for (const worker of decision.payees) {
			await transfer(tx, { id: transferIds.payout(taskId, worker), debit: escrowAccount(jobId), credit: userAccount(worker), amountMicro: price, reason: 'payout', jobId, taskId }, now);
			paid.set(worker, price);
		}
		const fee = taskFeeMicro(price, int(task.fee_bps));
		if (fee > 0) {
			await transfer(tx, { id: transferIds.fee(taskId), debit: escrowAccount(jobId), credit: FEE_ACCOUNT, amountMicro: fee, reason: 'fee', jobId, taskId }, now);
		}
	} else {
		await tx.query(`UPDATE results SET verdict = 'rejected' WHERE task_id = $1`, [taskId]);
	}

	const [job] = await tx.query<{ tasks: unknown; tasks_done: unknown; tasks_failed: unknown }>(
		`UPDATE jobs SET tasks_done = tasks_done + $2, tasks_failed = tasks_failed + $3 WHERE id = $1 RETURNING tasks, tasks_done, tasks_failed`,
		[jobId, accepted ? 1 : 0, accepted ? 0 : 1]
	);
	if (!job) throw new Error(`job ${jobId} missing while settling ${taskId}`);
	const closed = int(job.tasks_done) + int(job.tasks_failed);
	const jobFinished = closed === int(job.tasks) && (await finishJob(tx, jobId, int(job.tasks_failed) > 0 ? 'failed' : 'completed', now));

	const payees = accepted ? decision.payees : [];
	return {
		jobFinished,
		paidTo: base.paidTo,
		taskEvent: {
			type: 'task',
			jobId,
			idx: int(task.idx),
			state: accepted ? 'accepted' : 'failed',
			sha256: accepted ? decision.sha256 : null,
			tasksDone: int(job.tasks_done),
			tasks: int(job.tasks)
		},
		verdictFor: (w) => (payees.includes(w) ? 'accepted' : accepted ? 'rejected' : 'failed')
	};
}

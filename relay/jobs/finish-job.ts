import type { JobState } from '../../src/lib/protocol/jobs.js';
import { escrowAccount, transferIds } from '../ledger/account-ids.js';
import { holdingFor, isFunding } from '../ledger/funding.js';
import { balanceOf, transfer } from '../ledger/transfer.js';
import type { Sql } from '../store/db.js';

/**
 * Closes a running job and refunds what is left in its escrow to the requester, into the holding
 * that paid it (starter credits stay starter credits). The state
 * change is conditional (only from `running`), so a job is finished, and refunded, once.
 */
export async function finishJob(tx: Sql, jobId: string, state: Exclude<JobState, 'running'>, now: number): Promise<boolean> {
	const [job] = await tx.query<{ requester: string; funding: string }>(
		`UPDATE jobs SET state = $2, finished_at = $3 WHERE id = $1 AND state = 'running' RETURNING requester, funding`,
		[jobId, state, now]
	);
	if (!job) return false;
	if (state === 'cancelled') {
		await tx.query(`UPDATE tasks SET state = 'cancelled' WHERE job_id = $1 AND state = 'open'`, [jobId]);
	}
	const left = await balanceOf(tx, escrowAccount(jobId));
	if (left > 0) {
		await transfer(
			tx,
			{ id: transferIds.refund(jobId), debit: escrowAccount(jobId), credit: holdingFor(isFunding(job.funding) ? job.funding : 'balance', job.requester), amountMicro: left, reason: 'refund', jobId },
			now
		);
	}
	return true;
}

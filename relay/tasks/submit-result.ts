import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { ReceiptSchema, type Receipt } from '../../src/lib/protocol/auth.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { SubmitResponse } from '../../src/lib/protocol/leases.js';
import { decodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import { HttpError } from '../api/http-error.js';
import { verifyReceipt } from '../auth/verify-receipt.js';
import type { RelayContext } from '../context.js';
import { jobSummary } from '../jobs/job-views.js';
import { settleDecision } from './settle-decision.js';
import { decideQuorum } from './quorum.js';
import { int } from '../store/db.js';
import { transferIds } from '../ledger/account-ids.js';

const receiptError = (message: string) => new HttpError(400, 'receipt_mismatch', message);

/** Decodes and checks the receipt against the signer, the lease in the URL and the bytes. */
export function checkReceipt(header: string | undefined, worker: string, leaseId: string, bytes: Uint8Array): Receipt {
	if (!header) throw receiptError('missing x-mycelia-receipt header');
	let decoded: unknown;
	try {
		decoded = decodeReceiptHeader(header);
	} catch (err) {
		throw receiptError(`unreadable receipt: ${(err as Error).message}`);
	}
	const parsed = v.safeParse(ReceiptSchema, decoded);
	if (!parsed.success) throw receiptError(`malformed receipt: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? ''} ${i.message}`).join('; ')}`);
	const receipt = parsed.output;
	if (receipt.worker !== worker) throw receiptError('the receipt is signed for another key than the request');
	if (receipt.leaseId !== leaseId) throw receiptError(`the receipt names lease ${receipt.leaseId}, not ${leaseId}`);
	if (!verifyReceipt(receipt)) throw receiptError('the receipt signature does not verify');
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	if (sha256 !== receipt.sha256) throw receiptError(`the uploaded bytes hash to ${sha256}, the receipt says ${receipt.sha256}`);
	return receipt;
}

interface LeaseRow {
	worker: string;
	state: 'active' | 'submitted';
	expires_at: unknown;
	task_id: string;
	task_state: string;
	replicas_wanted: unknown;
	result_bytes: unknown;
	job_id: string;
	job_state: string;
	kernel: string;
	kernel_version: unknown;
	prior_sha256: string | null;
	prior_verdict: 'pending' | 'agreed' | 'rejected' | null;
}

/**
 * Stores a signed result and settles its task when the replicas agree: one transaction, so a
 * crash leaves either nothing or the whole settlement. The relay computes nothing: it compares
 * hashes. Re-sending the same result for the same lease returns the verdict again.
 */
export async function submitResult(
	ctx: RelayContext,
	worker: string,
	leaseId: string,
	bytes: Uint8Array,
	receiptHeader: string | undefined,
	now: number
): Promise<SubmitResponse> {
	const receipt = checkReceipt(receiptHeader, worker, leaseId, bytes);
	const events: JobEvent[] = [];
	const response = await ctx.db.transaction(async (tx): Promise<SubmitResponse> => {
		const [lease] = await tx.query<LeaseRow>(
			`SELECT l.worker, l.state, l.expires_at, t.id AS task_id, t.state AS task_state, t.replicas_wanted, t.result_bytes,
				j.id AS job_id, j.state AS job_state, j.kernel, j.kernel_version, r.sha256 AS prior_sha256, r.verdict AS prior_verdict
			FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id LEFT JOIN results r ON r.lease_id = l.id
			WHERE l.id = $1
			FOR UPDATE OF t`,
			[leaseId]
		);
		if (!lease || lease.worker !== worker) throw new HttpError(409, 'lease_not_held', `you do not hold lease ${leaseId}`);
		if (lease.state === 'submitted') {
			if (lease.prior_sha256 !== receipt.sha256) throw new HttpError(409, 'conflict', 'a different result was already submitted for this lease');
			const [paid] = await tx.query<{ amount_micro: unknown }>('SELECT amount_micro FROM transfers WHERE id = $1', [
				transferIds.payout(lease.task_id, worker)
			]);
			const verdict = lease.prior_verdict === 'agreed' ? 'accepted' : lease.prior_verdict === 'rejected' ? 'rejected' : 'pending';
			return { taskId: lease.task_id, verdict, paidMicro: paid ? int(paid.amount_micro) : 0 };
		}
		if (int(lease.expires_at) <= now) throw new HttpError(410, 'lease_expired', `lease ${leaseId} expired; the task may have been given to another worker`);
		if (lease.job_state !== 'running') throw new HttpError(409, 'job_closed', `job ${lease.job_id} is ${lease.job_state}`);
		if (lease.task_state !== 'open') throw new HttpError(409, 'job_closed', `task ${lease.task_id} is already ${lease.task_state}`);
		if (receipt.taskId !== lease.task_id) throw receiptError(`the receipt names task ${receipt.taskId}, the lease is for ${lease.task_id}`);
		if (receipt.kernel !== lease.kernel || receipt.kernelVersion !== int(lease.kernel_version)) {
			throw receiptError(`the receipt names ${receipt.kernel}@${receipt.kernelVersion}, the task needs ${lease.kernel}@${int(lease.kernel_version)}`);
		}
		if (bytes.length !== int(lease.result_bytes)) {
			throw new HttpError(400, 'bad_request', `a result for this task is exactly ${int(lease.result_bytes)} bytes, got ${bytes.length}`);
		}

		await tx.query('INSERT INTO blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [receipt.sha256, bytes.length, bytes]);
		await tx.query(
			`INSERT INTO results (lease_id, task_id, worker, sha256, receipt_signature, verdict, submitted_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)`,
			[leaseId, lease.task_id, worker, receipt.sha256, receipt.signature, now]
		);
		await tx.query(`UPDATE leases SET state = 'submitted' WHERE id = $1`, [leaseId]);
		const results = await tx.query<{ worker: string; sha256: string }>('SELECT worker, sha256 FROM results WHERE task_id = $1 ORDER BY seq', [lease.task_id]);
		const decision = decideQuorum(results, int(lease.replicas_wanted));
		const settled = await settleDecision(tx, { taskId: lease.task_id, jobId: lease.job_id }, decision, now);
		if (settled.taskEvent) events.push(settled.taskEvent);
		if (settled.jobFinished) {
			const job = await jobSummary(tx, lease.job_id);
			if (job) events.push({ type: 'job', job });
		}
		return { taskId: lease.task_id, verdict: settled.verdictFor(worker), paidMicro: settled.paidTo(worker) };
	});
	for (const e of events) ctx.events.publish(e.type === 'job' ? e.job.id : e.jobId, e);
	return response;
}

import type { Receipt } from '../../src/lib/protocol/auth.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { SubmitResponse } from '../../src/lib/protocol/leases.js';
import { HttpError } from '../api/http-error.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { finishJob } from '../jobs/finish-job.js';
import { taskFeeMicro } from '../jobs/pricing.js';
import { escrowAccount, FEE_ACCOUNT, transferIds, userAccount } from '../ledger/account-ids.js';
import { transferMany, type Transfer } from '../ledger/transfer.js';
import { int, type Sql } from '../store/db.js';
import { receiptError } from './check-receipt.js';
import { BOUND_REPLICAS_SQL } from './reveal-list.js';
import { decideQuorum, type QuorumDecision, type SubmittedResult } from './quorum.js';
import { resultCommitment } from '../../src/lib/verify/commitment.js';
import { penalizeInvalid, type InvalidResult } from '../trust/penalize.js';
import { recordValid } from '../trust/reputation.js';

/** One upload whose receipt already checked out against its bytes and signer. */
export interface Submission {
	worker: string;
	leaseId: string;
	receipt: Receipt;
	bytes: Uint8Array;
	now: number;
	/** What the commitment hid besides the result hash. */
	salt: string;
	merkleRoot: string | null;
}

export type Outcome = { ok: true; response: SubmitResponse } | { ok: false; error: HttpError };

interface LeaseRow {
	id: string;
	worker: string;
	state: 'active' | 'committed' | 'submitted' | 'voided' | 'abandoned' | 'revoked';
	expires_at: unknown;
	commitment: string | null;
	/** Replicas of the task bound so far (committed or submitted). */
	bound: unknown;
	task_id: string;
	task_state: string;
	replicas_wanted: unknown;
	result_bytes: unknown;
	job_id: string;
	job_state: string;
	kernel: string;
	kernel_version: unknown;
	prior_sha256: string | null;
	prior_verdict: 'pending' | 'agreed' | 'rejected' | 'voided' | null;
}

/** Refusals are decided from reads alone, before anything is written, so they never abort the batch. */
function refusal(s: Submission, lease: LeaseRow | undefined): HttpError | null {
	if (!lease || lease.worker !== s.worker) return new HttpError(409, 'lease_not_held', `you do not hold lease ${s.leaseId}`);
	if (lease.state === 'revoked') return new HttpError(409, 'lease_not_held', `lease ${s.leaseId} was revoked after an invalid result from this key`);
	if (lease.state === 'submitted' || lease.state === 'voided') return null;
	if (lease.state === 'active') return new HttpError(409, 'commitment_mismatch', `commit to the result of lease ${s.leaseId} before revealing it`);
	if (int(lease.expires_at) <= s.now) return new HttpError(410, 'lease_expired', `lease ${s.leaseId} expired; the task may have been given to another worker`);
	if (lease.job_state !== 'running') return new HttpError(409, 'job_closed', `job ${lease.job_id} is ${lease.job_state}`);
	if (lease.task_state !== 'open') return new HttpError(409, 'job_closed', `task ${lease.task_id} is already ${lease.task_state}`);
	if (s.receipt.taskId !== lease.task_id) return receiptError(`the receipt names task ${s.receipt.taskId}, the lease is for ${lease.task_id}`);
	if (s.receipt.kernel !== lease.kernel || s.receipt.kernelVersion !== int(lease.kernel_version)) {
		return receiptError(`the receipt names ${s.receipt.kernel}@${s.receipt.kernelVersion}, the task needs ${lease.kernel}@${int(lease.kernel_version)}`);
	}
	if (s.bytes.length !== int(lease.result_bytes)) {
		return new HttpError(400, 'bad_request', `a result for this task is exactly ${int(lease.result_bytes)} bytes, got ${s.bytes.length}`);
	}
	if (resultCommitment({ leaseId: s.leaseId, sha256: s.receipt.sha256, merkleRoot: s.merkleRoot, salt: s.salt }) !== lease.commitment) {
		return new HttpError(400, 'commitment_mismatch', 'this result, root and salt do not match what the lease committed to');
	}
	if (int(lease.bound) < int(lease.replicas_wanted)) {
		return new HttpError(425, 'reveal_not_open', 'other replicas of this task have not committed yet; reveal once a claim response lists this lease under `reveal`');
	}
	return null;
}

/** The same result sent again for a lease already used: answer with what happened to it. */
async function resubmission(tx: Sql, s: Submission, lease: LeaseRow): Promise<Outcome> {
	if (lease.prior_sha256 !== s.receipt.sha256) {
		return { ok: false, error: new HttpError(409, 'conflict', 'a different result was already submitted for this lease') };
	}
	const [paid] = await tx.query<{ amount_micro: unknown }>('SELECT amount_micro FROM transfers WHERE id = $1', [transferIds.payout(lease.task_id, s.worker)]);
	const verdict = lease.prior_verdict === 'agreed' ? 'accepted' : lease.prior_verdict === 'rejected' || lease.prior_verdict === 'voided' ? 'rejected' : 'pending';
	return { ok: true, response: { taskId: lease.task_id, verdict, paidMicro: paid ? int(paid.amount_micro) : 0 } };
}

/**
 * Stores and settles a batch of results in the caller's transaction with a fixed number of
 * statements, whatever the batch size: that is what lets one PGlite connection settle hundreds
 * of results a second. The relay computes nothing: it compares hashes. Each submission's
 * leaseId must be distinct within a batch.
 */
export async function settleBatch(
	tx: Sql,
	blobs: BlobStore,
	batch: readonly Submission[],
	now: number
): Promise<{ outcomes: Outcome[]; events: JobEvent[]; finishedJobs: string[] }> {
	const leases = await tx.query<LeaseRow>(
		`SELECT l.id, l.worker, l.state, l.expires_at, l.commitment,
			${BOUND_REPLICAS_SQL('t.id', '$2')} AS bound,
			t.id AS task_id, t.state AS task_state, t.replicas_wanted, t.result_bytes,
			j.id AS job_id, j.state AS job_state, j.kernel, j.kernel_version, r.sha256 AS prior_sha256, r.verdict AS prior_verdict
		FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id LEFT JOIN results r ON r.lease_id = l.id
		WHERE l.id = ANY($1::text[])
		ORDER BY t.id
		FOR UPDATE OF t`,
		[batch.map((s) => s.leaseId), now]
	);
	const leaseById = new Map(leases.map((l) => [l.id, l]));
	const outcomes: (Outcome | null)[] = [];
	const fresh: { s: Submission; lease: LeaseRow; index: number }[] = [];
	for (const [index, s] of batch.entries()) {
		const lease = leaseById.get(s.leaseId);
		const error = refusal(s, lease);
		if (error) outcomes.push({ ok: false, error });
		else if (lease && (lease.state === 'submitted' || lease.state === 'voided')) outcomes.push(await resubmission(tx, s, lease));
		else {
			outcomes.push(null);
			fresh.push({ s, lease: lease as LeaseRow, index });
		}
	}
	if (fresh.length === 0) return { outcomes: outcomes as Outcome[], events: [], finishedJobs: [] };

	await blobs.putMany(tx, fresh.map(({ s }) => ({ sha256: s.receipt.sha256, bytes: s.bytes })));
	// Record the results, spend the leases and read every result of the touched tasks in one
	// statement (a SELECT cannot see rows inserted by the same statement, hence the UNION).
	const values: unknown[] = [now];
	const rows = fresh.map(({ s, lease }, i) => {
		values.push(s.leaseId, lease.task_id, s.worker, s.receipt.sha256, s.receipt.signature, s.merkleRoot);
		const b = 2 + i * 6;
		return `($${b}::text, $${b + 1}::text, $${b + 2}::text, $${b + 3}::text, $${b + 4}::text, $${b + 5}::text, ${i})`;
	});
	const results = await tx.query<{ task_id: string; worker: string; sha256: string; trusted: boolean }>(
		`WITH input (lease_id, task_id, worker, sha256, signature, merkle_root, ord) AS (VALUES ${rows.join(', ')}),
		r AS (
			INSERT INTO results (lease_id, task_id, worker, sha256, receipt_signature, merkle_root, verdict, submitted_at)
			SELECT lease_id, task_id, worker, sha256, signature, merkle_root, 'pending', $1 FROM input ORDER BY ord
			RETURNING task_id, worker, sha256, seq
		), l AS (UPDATE leases SET state = 'submitted' WHERE id IN (SELECT lease_id FROM input)),
		everything AS (
			SELECT task_id, worker, sha256, seq FROM results WHERE task_id IN (SELECT task_id FROM input) AND verdict <> 'voided'
			UNION ALL SELECT task_id, worker, sha256, seq FROM r
		)
		SELECT e.task_id, e.worker, e.sha256, e.seq, EXISTS (SELECT 1 FROM trusted_keys k WHERE k.key = e.worker) AS trusted
		FROM everything e
		ORDER BY e.seq`,
		values
	);

	const byTask = new Map<string, SubmittedResult[]>();
	for (const r of results) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { worker: r.worker, sha256: r.sha256, trusted: r.trusted === true }]);
	const decisions = new Map<string, QuorumDecision>();
	for (const { lease } of fresh) {
		if (!decisions.has(lease.task_id)) decisions.set(lease.task_id, decideQuorum(byTask.get(lease.task_id) ?? [], int(lease.replicas_wanted)));
	}
	const { paid, events, finishedJobs } = await applyDecisions(tx, decisions, now);

	for (const { s, lease, index } of fresh) {
		const d = decisions.get(lease.task_id) as QuorumDecision;
		const verdict: SubmitResponse['verdict'] =
			d.kind === 'pending' ? 'pending' : d.kind === 'dispute' ? 'disputed' : d.kind === 'fail' ? 'failed' : d.payees.includes(s.worker) ? 'accepted' : 'rejected';
		outcomes[index] = { ok: true, response: { taskId: lease.task_id, verdict, paidMicro: paid.get(`${lease.task_id}:${s.worker}`) ?? 0 } };
	}
	return { outcomes: outcomes as Outcome[], events, finishedJobs };
}

/** Disputes widen tasks; accepted and failed tasks close, pay their quorum and the fee, and count toward their job. */
async function applyDecisions(
	tx: Sql,
	decisions: Map<string, QuorumDecision>,
	now: number
): Promise<{ paid: Map<string, number>; events: JobEvent[]; finishedJobs: string[] }> {
	const paid = new Map<string, number>();
	const events: JobEvent[] = [];
	const disputes = [...decisions].filter(([, d]) => d.kind === 'dispute') as [string, Extract<QuorumDecision, { kind: 'dispute' }>][];
	if (disputes.length > 0) {
		const values = disputes.flatMap(([id, d]) => [id, d.replicasWanted]);
		const rows = disputes.map((_, i) => `($${2 * i + 1}::text, $${2 * i + 2}::int)`);
		// With trusted referees about, the tie-break replica is theirs alone: a cartel never outvotes the honest.
		await tx.query(
			`UPDATE tasks SET replicas_wanted = v.w, referee_only = EXISTS (SELECT 1 FROM trusted_keys)
			FROM (VALUES ${rows.join(', ')}) AS v (id, w) WHERE tasks.id = v.id`,
			values
		);
	}
	const closing = [...decisions].filter(([, d]) => d.kind === 'accept' || d.kind === 'fail');
	if (closing.length === 0) return { paid, events, finishedJobs: [] };

	const values: unknown[] = [];
	const rows = closing.map(([id, d], i) => {
		values.push(id, d.kind === 'accept' ? 'accepted' : 'failed', d.kind === 'accept' ? d.sha256 : null, d.kind === 'accept' ? 1 : 0);
		return `($${4 * i + 1}::text, $${4 * i + 2}::text, $${4 * i + 3}::text, $${4 * i + 4}::int)`;
	});
	// Close the tasks, mark their results and count each job's progress in one statement; the
	// conditional UPDATE on open tasks is what makes settling a task happen once.
	const closed = await tx.query<{ task_id: string; job_id: string; price_micro: unknown; idx: unknown; state: 'accepted' | 'failed'; fee_bps: unknown; tasks: unknown; tasks_done: unknown; tasks_failed: unknown }>(
		`WITH input (task_id, state, hash, done) AS (VALUES ${rows.join(', ')}),
		t AS (
			UPDATE tasks SET state = i.state, accepted_hash = i.hash FROM input i WHERE tasks.id = i.task_id AND tasks.state = 'open'
			RETURNING tasks.id, tasks.job_id, tasks.price_micro, tasks.idx, i.state, i.done
		), rv AS (
			UPDATE results r SET verdict = CASE WHEN r.sha256 = i.hash THEN 'agreed' ELSE 'rejected' END FROM input i
			WHERE r.task_id = i.task_id AND r.verdict <> 'voided'
		), jc AS (SELECT job_id, sum(done) AS done, count(*) - sum(done) AS failed FROM t GROUP BY job_id),
		j AS (
			UPDATE jobs SET tasks_done = tasks_done + jc.done, tasks_failed = tasks_failed + jc.failed FROM jc WHERE jobs.id = jc.job_id
			RETURNING jobs.id, jobs.fee_bps, jobs.tasks, jobs.tasks_done, jobs.tasks_failed
		)
		SELECT t.id AS task_id, t.job_id, t.price_micro, t.idx, t.state, j.fee_bps, j.tasks, j.tasks_done, j.tasks_failed FROM t JOIN j ON j.id = t.job_id`,
		values
	);
	if (closed.length !== closing.length) throw new Error(`settled ${closed.length} of ${closing.length} tasks: a task was settled twice`);

	const transfers: Transfer[] = [];
	const valid: string[] = [];
	const invalid: InvalidResult[] = [];
	const mayFinish = new Set<string>();
	for (const c of closed) {
		const d = decisions.get(c.task_id);
		if (d?.kind === 'accept') {
			const price = int(c.price_micro);
			for (const worker of d.payees) {
				transfers.push({ id: transferIds.payout(c.task_id, worker), debit: escrowAccount(c.job_id), credit: userAccount(worker), amountMicro: price, reason: 'payout', jobId: c.job_id, taskId: c.task_id });
				paid.set(`${c.task_id}:${worker}`, price);
			}
			const fee = taskFeeMicro(price, int(c.fee_bps));
			if (fee > 0) transfers.push({ id: transferIds.fee(c.task_id), debit: escrowAccount(c.job_id), credit: FEE_ACCOUNT, amountMicro: fee, reason: 'fee', jobId: c.job_id, taskId: c.task_id });
			valid.push(...d.agreeing);
			for (const worker of d.rejected) invalid.push({ worker, taskId: c.task_id, jobId: c.job_id, idx: int(c.idx), priceMicro: price });
		}
		if (int(c.tasks_done) + int(c.tasks_failed) === int(c.tasks)) mayFinish.add(c.job_id);
		events.push({ type: 'task', jobId: c.job_id, idx: int(c.idx), state: c.state, sha256: d?.kind === 'accept' ? d.sha256 : null, tasksDone: int(c.tasks_done), tasks: int(c.tasks) });
	}
	await transferMany(tx, transfers, now);
	await recordValid(tx, valid, now);
	// Penalties may reopen tiles of running jobs, so which jobs finish is read after them.
	for (const bad of invalid) events.push(...(await penalizeInvalid(tx, bad, now)).events);
	const finished = new Map<string, 'completed' | 'failed'>();
	if (mayFinish.size > 0) {
		const jobs = await tx.query<{ id: string; tasks: unknown; tasks_done: unknown; tasks_failed: unknown }>(
			`SELECT id, tasks, tasks_done, tasks_failed FROM jobs WHERE id = ANY($1::text[]) AND state = 'running'`,
			[[...mayFinish]]
		);
		for (const j of jobs) {
			if (int(j.tasks_done) + int(j.tasks_failed) === int(j.tasks)) finished.set(j.id, int(j.tasks_failed) > 0 ? 'failed' : 'completed');
		}
	}
	for (const [jobId, state] of finished) await finishJob(tx, jobId, state, now);
	return { paid, events, finishedJobs: [...finished.keys()] };
}

import type { Receipt } from '../../src/lib/protocol/auth.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import type { SubmitResponse } from '../../src/lib/protocol/leases.js';
import { DomainError } from '../domain-error.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { transferIds } from '../ledger/account-ids.js';
import { int, type Sql } from '../store/db.js';
import { getKernel } from '../../src/lib/kernels/registry.js';
import { leafHash, verifyMerkleProofHex } from '../../src/lib/verify/merkle.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { resultCommitment } from '../../src/lib/verify/commitment.js';
import { openDisputes, type DisputeSide } from '../disputes/open-disputes.js';
import { applyDecisions } from './apply-decisions.js';
import { receiptError } from './check-receipt.js';
import { BOUND_REPLICAS_SQL } from './reveal-list.js';
import { decideQuorum, type QuorumDecision, type SubmittedResult } from './quorum.js';

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
	/** Bisect results: the proof that the root's last leaf is the hash of `bytes`. */
	finalProof: string[] | null;
}


export type Outcome = { ok: true; response: SubmitResponse } | { ok: false; error: DomainError };

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
	params: unknown;
	prior_sha256: string | null;
	prior_verdict: 'pending' | 'agreed' | 'rejected' | 'voided' | null;
}

/** Refusals are decided from reads alone, before anything is written, so they never abort the batch. */
function refusal(s: Submission, lease: LeaseRow | undefined): DomainError | null {
	if (!lease || lease.worker !== s.worker) return new DomainError('lease_not_held', `you do not hold lease ${s.leaseId}`);
	if (lease.state === 'revoked') return new DomainError('lease_not_held', `lease ${s.leaseId} was revoked after an invalid result from this key`);
	if (lease.state === 'submitted' || lease.state === 'voided') return null;
	if (lease.state === 'active') return new DomainError('commitment_mismatch', `commit to the result of lease ${s.leaseId} before revealing it`, { transient: true });
	if (int(lease.expires_at) <= s.now) return new DomainError('lease_expired', `lease ${s.leaseId} expired; the task may have been given to another worker`);
	if (lease.job_state !== 'running') return new DomainError('job_closed', `job ${lease.job_id} is ${lease.job_state}`);
	if (lease.task_state !== 'open') return new DomainError('job_closed', `task ${lease.task_id} is already ${lease.task_state}`);
	if (s.receipt.taskId !== lease.task_id) return receiptError(`the receipt names task ${s.receipt.taskId}, the lease is for ${lease.task_id}`);
	if (s.receipt.kernel !== lease.kernel || s.receipt.kernelVersion !== int(lease.kernel_version)) {
		return receiptError(`the receipt names ${s.receipt.kernel}@${s.receipt.kernelVersion}, the task needs ${lease.kernel}@${int(lease.kernel_version)}`);
	}
	if (s.bytes.length !== int(lease.result_bytes)) {
		return new DomainError('bad_request', `a result for this task is exactly ${int(lease.result_bytes)} bytes, got ${s.bytes.length}`);
	}
	if (resultCommitment({ leaseId: s.leaseId, sha256: s.receipt.sha256, merkleRoot: s.merkleRoot, salt: s.salt }) !== lease.commitment) {
		return new DomainError('commitment_mismatch', 'this result, root and salt do not match what the lease committed to');
	}
	const problem = bisectProblem(s, lease);
	if (problem) return new DomainError('bad_request', problem);
	if (int(lease.bound) < int(lease.replicas_wanted)) {
		return new DomainError('reveal_not_open', 'other replicas of this task have not committed yet; reveal once a claim response lists this lease under `reveal`');
	}
	return null;
}

function paramsOf(lease: LeaseRow): unknown {
	return typeof lease.params === 'string' ? JSON.parse(lease.params) : lease.params;
}

/** Steps of a bisect task (the leaves of its trace), or null for other kernels. */
function bisectSteps(lease: LeaseRow): number | null {
	const meta = getKernel(lease.kernel);
	if (!meta || meta.verification !== 'bisect' || !meta.bisectSteps) return null;
	return meta.bisectSteps(paramsOf(lease));
}

/**
 * A bisect result must name its trace root and prove that the root's last leaf is the hash of the
 * uploaded final state, so a dispute can start from two leaves known to differ.
 */
function bisectProblem(s: Submission, lease: LeaseRow): string | null {
	const steps = bisectSteps(lease);
	if (steps === null) return s.merkleRoot || s.finalProof ? 'this kernel takes no Merkle root or proof' : null;
	if (!s.merkleRoot || !s.finalProof) return `a ${lease.kernel} result needs its trace root and the proof of its final leaf`;
	if (!verifyMerkleProofHex(s.merkleRoot, steps - 1, steps, bytesToHex(leafHash(s.bytes)), s.finalProof)) {
		return `the final-leaf proof does not lead from this result to root ${s.merkleRoot.slice(0, 12)}…`;
	}
	return null;
}

/** The leases a batch names, with their tasks and jobs; `lock` takes the tasks' row locks (settling). */
async function readLeases(sql: Sql, batch: readonly Submission[], now: number, lock: boolean): Promise<Map<string, LeaseRow>> {
	const leases = await sql.query<LeaseRow>(
		`SELECT l.id, l.worker, l.state, l.expires_at, l.commitment,
			${BOUND_REPLICAS_SQL('t.id', '$2')} AS bound,
			t.id AS task_id, t.state AS task_state, t.replicas_wanted, t.result_bytes,
			t.params, j.id AS job_id, j.state AS job_state, j.kernel, j.kernel_version, r.sha256 AS prior_sha256, r.verdict AS prior_verdict
		FROM leases l JOIN tasks t ON t.id = l.task_id JOIN jobs j ON j.id = t.job_id LEFT JOIN results r ON r.lease_id = l.id
		WHERE l.id = ANY($1::text[])
		${lock ? 'ORDER BY t.id FOR UPDATE OF t' : ''}`,
		[batch.map((s) => s.leaseId), now]
	);
	return new Map(leases.map((l) => [l.id, l]));
}

/**
 * The submissions of a batch that would store new bytes if it settled now: not refused, and not
 * a repeat of a result already recorded. Read without locks, before the settling transaction,
 * so a store that writes outside it (files) never writes a refused upload's bytes; the
 * transaction decides again under its locks.
 */
export async function storableSubmissions(sql: Sql, batch: readonly Submission[], now: number): Promise<Submission[]> {
	const leaseById = await readLeases(sql, batch, now, false);
	return batch.filter((s) => {
		const lease = leaseById.get(s.leaseId);
		return refusal(s, lease) === null && lease?.state !== 'submitted' && lease?.state !== 'voided';
	});
}

/** The same result sent again for a lease already used: answer with what happened to it. */
async function resubmission(tx: Sql, s: Submission, lease: LeaseRow): Promise<Outcome> {
	if (lease.prior_sha256 !== s.receipt.sha256) {
		return { ok: false, error: new DomainError('conflict', 'a different result was already submitted for this lease') };
	}
	const [paid] = await tx.query<{ amount_micro: unknown }>('SELECT amount_micro FROM transfers WHERE id = $1', [transferIds.payout(lease.task_id, s.worker)]);
	const verdict = lease.prior_verdict === 'agreed' ? 'accepted' : lease.prior_verdict === 'rejected' || lease.prior_verdict === 'voided' ? 'rejected' : 'pending';
	return { ok: true, response: { taskId: lease.task_id, verdict, paidMicro: paid ? int(paid.amount_micro) : 0 } };
}

/**
 * Stores and settles a batch of results in the caller's transaction with a fixed number of
 * statements, whatever the batch size: that is what lets one PGlite connection settle hundreds
 * of results a second. The relay computes nothing: it compares hashes. Each submission's
 * leaseId must be distinct within a batch. `stored` lists the hashes whose bytes it recorded.
 */
export async function settleBatch(
	tx: Sql,
	blobs: BlobStore,
	batch: readonly Submission[],
	now: number,
	options: { disputeRoundMs: number }
): Promise<{ outcomes: Outcome[]; events: JobEvent[]; finishedJobs: string[]; stored: string[] }> {
	const leaseById = await readLeases(tx, batch, now, true);
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
	if (fresh.length === 0) return { outcomes: outcomes as Outcome[], events: [], finishedJobs: [], stored: [] };

	await blobs.putMany(tx, fresh.map(({ s }) => ({ sha256: s.receipt.sha256, bytes: s.bytes })));
	// Record the results, spend the leases and read every result of the touched tasks in one
	// statement (a SELECT cannot see rows inserted by the same statement, hence the UNION).
	const values: unknown[] = [now];
	const rows = fresh.map(({ s, lease }, i) => {
		const finalLeaf = bisectSteps(lease) === null ? null : bytesToHex(leafHash(s.bytes));
		values.push(s.leaseId, lease.task_id, s.worker, s.receipt.sha256, s.receipt.signature, s.merkleRoot, finalLeaf);
		const b = 2 + i * 7;
		return `($${b}::text, $${b + 1}::text, $${b + 2}::text, $${b + 3}::text, $${b + 4}::text, $${b + 5}::text, $${b + 6}::text, ${i})`;
	});
	const results = await tx.query<{ task_id: string; lease_id: string; worker: string; sha256: string; merkle_root: string | null; final_leaf: string | null; trusted: boolean }>(
		`WITH input (lease_id, task_id, worker, sha256, signature, merkle_root, final_leaf, ord) AS (VALUES ${rows.join(', ')}),
		r AS (
			INSERT INTO results (lease_id, task_id, worker, sha256, receipt_signature, merkle_root, final_leaf, verdict, submitted_at)
			SELECT lease_id, task_id, worker, sha256, signature, merkle_root, final_leaf, 'pending', $1 FROM input ORDER BY ord
			RETURNING task_id, lease_id, worker, sha256, merkle_root, final_leaf, seq
		), l AS (UPDATE leases SET state = 'submitted' WHERE id IN (SELECT lease_id FROM input)),
		everything AS (
			SELECT task_id, lease_id, worker, sha256, merkle_root, final_leaf, seq FROM results WHERE task_id IN (SELECT task_id FROM input) AND verdict <> 'voided'
			UNION ALL SELECT task_id, lease_id, worker, sha256, merkle_root, final_leaf, seq FROM r
		)
		SELECT e.task_id, e.lease_id, e.worker, e.sha256, e.merkle_root, e.final_leaf, e.seq,
			EXISTS (SELECT 1 FROM trusted_keys k WHERE k.key = e.worker) AS trusted
		FROM everything e
		ORDER BY e.seq`,
		values
	);

	const byTask = new Map<string, SubmittedResult[]>();
	const sides = new Map<string, DisputeSide[]>();
	for (const r of results) {
		byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { worker: r.worker, sha256: r.sha256, trusted: r.trusted === true }]);
		if (r.merkle_root && r.final_leaf) sides.set(r.task_id, [...(sides.get(r.task_id) ?? []), { leaseId: r.lease_id, worker: r.worker, root: r.merkle_root, finalLeaf: r.final_leaf }]);
	}
	const decisions = new Map<string, QuorumDecision>();
	for (const { lease } of fresh) {
		if (!decisions.has(lease.task_id)) decisions.set(lease.task_id, decideQuorum(byTask.get(lease.task_id) ?? [], int(lease.replicas_wanted)));
	}
	// Two bisect results that disagree go to a bisection game instead of a third replica (when a
	// trusted referee exists to settle its last step); the task waits, nobody new is asked.
	const bisect = new Map<string, { jobId: string; steps: number; a: DisputeSide; b: DisputeSide }>();
	for (const { lease } of fresh) {
		const steps = bisectSteps(lease);
		const pair = sides.get(lease.task_id);
		if (steps !== null && decisions.get(lease.task_id)?.kind === 'dispute' && pair?.length === 2) {
			bisect.set(lease.task_id, { jobId: lease.job_id, steps, a: pair[0] as DisputeSide, b: pair[1] as DisputeSide });
		}
	}
	const opened = await openDisputes(tx, [...bisect].map(([taskId, d]) => ({ taskId, ...d })), now, options.disputeRoundMs);
	const toApply = new Map([...decisions].filter(([taskId]) => !opened.has(taskId)));
	const { paid, events, finishedJobs } = await applyDecisions(tx, toApply, now);

	for (const { s, lease, index } of fresh) {
		const d = decisions.get(lease.task_id) as QuorumDecision;
		const verdict: SubmitResponse['verdict'] =
			d.kind === 'pending' ? 'pending' : d.kind === 'dispute' ? 'disputed' : d.kind === 'fail' ? 'failed' : d.payees.includes(s.worker) ? 'accepted' : 'rejected';
		outcomes[index] = { ok: true, response: { taskId: lease.task_id, verdict, paidMicro: paid.get(`${lease.task_id}:${s.worker}`) ?? 0 } };
	}
	return { outcomes: outcomes as Outcome[], events, finishedJobs, stored: fresh.map(({ s }) => s.receipt.sha256) };
}

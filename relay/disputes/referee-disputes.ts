import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { DISPUTE_QUESTIONS_MAX } from '../../src/lib/protocol/limits.js';
import type { DisputeView, RefereeAnswer, RefereeTask } from '../../src/lib/protocol/disputes.js';
import { leafHash } from '../../src/lib/verify/merkle.js';
import { DomainError } from '../domain-error.js';
import type { Db, Sql } from '../store/db.js';
import { int } from '../store/db.js';
import { isTrusted } from '../trust/trusted-keys.js';
import { disputeView, lockDispute } from './dispute-row.js';
import { settleDispute } from './settle-dispute.js';

/**
 * Hands a trusted referee the disputes waiting for their last step (or keeps the ones it already
 * holds): the kernel, the task's params, the step to recompute and the agreed state before it.
 * An assignment lasts `leaseMs`; one that lapses goes to the next referee who asks.
 */
export async function refereeTasksFor(db: Sql, referee: string, now: number, leaseMs: number): Promise<RefereeTask[]> {
	if (!(await isTrusted(db, referee))) return [];
	const rows = await db.query<{ id: string; task_id: string; hi: unknown; lo_state: string | null; referee_expires_at: unknown; params: unknown; kernel: string; kernel_version: unknown }>(
		`WITH picked AS (
			SELECT id FROM disputes
			WHERE state = 'refereeing' AND worker_a <> $1 AND worker_b <> $1 AND (referee IS NULL OR referee = $1 OR referee_expires_at <= $3)
			ORDER BY seq LIMIT ${DISPUTE_QUESTIONS_MAX}
			FOR UPDATE SKIP LOCKED
		), assigned AS (
			UPDATE disputes d SET referee = $1,
				referee_expires_at = CASE WHEN d.referee = $1 AND d.referee_expires_at > $3 THEN d.referee_expires_at ELSE $2 END
			FROM picked WHERE d.id = picked.id
			RETURNING d.id, d.task_id, d.hi, d.lo_state, d.referee_expires_at, d.seq
		)
		SELECT a.id, a.task_id, a.hi, a.lo_state, a.referee_expires_at, t.params, j.kernel, j.kernel_version
		FROM assigned a JOIN tasks t ON t.id = a.task_id JOIN jobs j ON j.id = t.job_id
		ORDER BY a.seq`,
		[referee, now + leaseMs, now]
	);
	return rows.map((r) => ({
		disputeId: r.id,
		taskId: r.task_id,
		kernel: r.kernel,
		kernelVersion: int(r.kernel_version),
		params: typeof r.params === 'string' ? JSON.parse(r.params) : r.params,
		index: int(r.hi),
		prior: r.lo_state,
		expiresAt: int(r.referee_expires_at)
	}));
}

/**
 * The referee's recomputed state after step `hi`: the side whose leaf at `hi` is its hash wins;
 * if neither matches, both computed that step wrong from the state they agreed on.
 */
export async function refereeVerdict(
	db: Db,
	referee: string,
	id: string,
	answer: RefereeAnswer,
	now: number
): Promise<{ view: DisputeView; events: JobEvent[]; finishedJobs: string[] }> {
	return db.transaction(async (tx) => {
		const d = await lockDispute(tx, id);
		if (!d) throw new DomainError('not_found', `no dispute ${id}`);
		if (d.state !== 'refereeing') throw new DomainError('dispute_closed', `dispute ${id} is ${d.state}, not waiting for a referee`);
		if (d.referee !== referee) throw new DomainError('forbidden', `dispute ${id} is not assigned to this key; poll for referee tasks first`);
		const hi = int(d.hi);
		if (answer.index !== hi) throw new DomainError('conflict', `dispute ${id} needs the state after step ${hi}, not ${answer.index}`);
		const leaf = bytesToHex(leafHash(hexToBytes(answer.state)));
		const winner = leaf === d.hi_leaf_a ? 'a' : leaf === d.hi_leaf_b ? 'b' : 'neither';
		const from = int(d.lo) === 0 ? 'the initial state' : `the agreed state after step ${int(d.lo)}`;
		const reason =
			winner === 'neither'
				? `the referee recomputed step ${hi} from ${from}; it matches neither side`
				: `the referee recomputed step ${hi} from ${from}; it matches side ${winner.toUpperCase()} after ${int(d.rounds)} bisection rounds`;
		const { events, finishedJobs } = await settleDispute(tx, d, winner, reason, now);
		const settled = await lockDispute(tx, id);
		return { view: disputeView(settled ?? d), events, finishedJobs };
	});
}

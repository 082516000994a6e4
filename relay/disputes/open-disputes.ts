import { createHash } from 'node:crypto';
import type { Sql } from '../store/db.js';
import { addTrustEvents } from '../trust/reputation.js';

/** One side of a disagreement over a bisect task: its result's lease, key, trace root and final leaf. */
export interface DisputeSide {
	leaseId: string;
	worker: string;
	root: string;
	finalLeaf: string;
}

export interface DisputeCandidate {
	taskId: string;
	jobId: string;
	steps: number;
	a: DisputeSide;
	b: DisputeSide;
}

/** Deterministic, so a retried settlement finds the dispute it already opened. */
function disputeIdFor(taskId: string, a: string, b: string): string {
	return `d${createHash('sha256').update(`${taskId}\n${a}\n${b}`).digest('hex').slice(0, 24)}`;
}

/**
 * Opens a bisection game for each pair of disagreeing bisect results, in the settling
 * transaction. Both sides agree on the initial state (step 0) and, proved at reveal time,
 * disagree on their final leaves (step T); the first question is leaf ⌊T/2⌋. Needs a trusted
 * referee to exist for the last step: without one nothing is opened and the caller asks a third
 * replica instead. Returns the tasks now in a dispute.
 */
export async function openDisputes(tx: Sql, candidates: readonly DisputeCandidate[], now: number, roundMs: number): Promise<Set<string>> {
	if (candidates.length === 0) return new Set();
	const [{ referees } = { referees: false }] = await tx.query<{ referees: boolean }>('SELECT EXISTS (SELECT 1 FROM trusted_keys) AS referees');
	if (!referees) return new Set();
	const rows = candidates.map((c) => {
		const bisecting = c.steps > 1;
		return {
			id: disputeIdFor(c.taskId, c.a.leaseId, c.b.leaseId),
			c,
			state: bisecting ? 'bisecting' : 'refereeing',
			ask: bisecting ? Math.floor(c.steps / 2) : null
		};
	});
	await tx.query(
		`INSERT INTO disputes (id, task_id, job_id, steps, lease_a, worker_a, root_a, lease_b, worker_b, root_b, lo, hi, hi_leaf_a, hi_leaf_b, ask, state, deadline, created_at)
		SELECT d.id, d.task_id, d.job_id, d.steps, d.lease_a, d.worker_a, d.root_a, d.lease_b, d.worker_b, d.root_b, 0, d.steps, d.leaf_a, d.leaf_b, d.ask, d.state, $1, $2
		FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[], $16::text[])
			AS d (id, task_id, job_id, steps, lease_a, worker_a, root_a, lease_b, worker_b, root_b, leaf_a, leaf_b, ask, state)
		ON CONFLICT (id) DO NOTHING`,
		[
			now + roundMs,
			now,
			rows.map((r) => r.id),
			rows.map((r) => r.c.taskId),
			rows.map((r) => r.c.jobId),
			rows.map((r) => r.c.steps),
			rows.map((r) => r.c.a.leaseId),
			rows.map((r) => r.c.a.worker),
			rows.map((r) => r.c.a.root),
			rows.map((r) => r.c.b.leaseId),
			rows.map((r) => r.c.b.worker),
			rows.map((r) => r.c.b.root),
			rows.map((r) => r.c.a.finalLeaf),
			rows.map((r) => r.c.b.finalLeaf),
			rows.map((r) => r.ask),
			rows.map((r) => r.state)
		]
	);
	await addTrustEvents(
		tx,
		rows.flatMap((r) =>
			[r.c.a, r.c.b].map((side) => ({
				id: `dispute:${r.id}:${side.worker}`,
				key: side.worker,
				kind: 'dispute' as const,
				jobId: r.c.jobId,
				taskId: r.c.taskId,
				amountMicro: 0,
				detail: `results disagree: bisecting ${r.c.steps} committed steps to the first one in dispute ${r.id}`
			}))
		),
		now
	);
	return new Set(rows.map((r) => r.c.taskId));
}

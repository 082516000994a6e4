import type { DisputeView } from '../../src/lib/protocol/disputes.js';
import { int, type Sql } from '../store/db.js';

/** A disputes row as the relay reads it (see migration 003). */
export interface DisputeRow {
	id: string;
	task_id: string;
	job_id: string;
	steps: unknown;
	lease_a: string;
	worker_a: string;
	root_a: string;
	lease_b: string;
	worker_b: string;
	root_b: string;
	lo: unknown;
	hi: unknown;
	lo_state: string | null;
	hi_leaf_a: string;
	hi_leaf_b: string;
	rounds: unknown;
	ask: unknown;
	leaf_a: string | null;
	state_a: string | null;
	leaf_b: string | null;
	state_b: string | null;
	state: 'bisecting' | 'refereeing' | 'settled';
	deadline: unknown;
	referee: string | null;
	referee_expires_at: unknown;
	winner: 'a' | 'b' | 'neither' | null;
	reason: string | null;
	created_at: unknown;
	settled_at: unknown;
}

export type Side = 'a' | 'b';

export const DISPUTE_COLUMNS = `id, task_id, job_id, steps, lease_a, worker_a, root_a, lease_b, worker_b, root_b, lo, hi, lo_state,
	hi_leaf_a, hi_leaf_b, rounds, ask, leaf_a, state_a, leaf_b, state_b, state, deadline, referee, referee_expires_at, winner,
	reason, created_at, settled_at`;

/** The dispute, locked for the rest of the transaction; undefined when there is none. */
export async function lockDispute(tx: Sql, id: string): Promise<DisputeRow | undefined> {
	const [row] = await tx.query<DisputeRow>(`SELECT ${DISPUTE_COLUMNS} FROM disputes WHERE id = $1 FOR UPDATE`, [id]);
	return row;
}

export function disputeView(d: DisputeRow): DisputeView {
	return {
		id: d.id,
		taskId: d.task_id,
		jobId: d.job_id,
		steps: int(d.steps),
		workerA: d.worker_a,
		workerB: d.worker_b,
		lo: int(d.lo),
		hi: int(d.hi),
		rounds: int(d.rounds),
		ask: d.ask === null ? null : int(d.ask),
		state: d.state,
		deadline: int(d.deadline),
		referee: d.referee,
		winner: d.winner,
		reason: d.reason,
		createdAt: int(d.created_at),
		settledAt: d.settled_at === null ? null : int(d.settled_at)
	};
}

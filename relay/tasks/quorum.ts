import { QUORUM, TASK_REPLICAS_MAX } from '../../src/lib/protocol/limits.js';

export interface SubmittedResult {
	worker: string;
	sha256: string;
	/** An operator-trusted referee: its result decides the task. */
	trusted?: boolean;
}

export type QuorumDecision =
	/** Fewer than `wanted` results so far and no hash has a quorum yet. */
	| { kind: 'pending' }
	/**
	 * A hash reached the quorum: its first `need` workers are paid, every worker with that hash
	 * is `agreeing`, the others are rejected.
	 */
	| { kind: 'accept'; sha256: string; payees: string[]; agreeing: string[]; rejected: string[]; why?: string }
	/** All wanted replicas are in and disagree: ask one more key. */
	| { kind: 'dispute'; replicasWanted: number }
	/** No majority is possible within TASK_REPLICAS_MAX replicas. */
	| { kind: 'fail'; rejected: string[] };

/**
 * Decides an `exact` task from its results in submission order. Pure, so it is checked
 * exhaustively by property tests: at most QUORUM payees, all payees agree, never pays a
 * worker whose hash differs from the accepted one. A task the scheduler made single
 * (`replicasWanted` 1, adaptive replication) is accepted on its one result.
 *
 * A trusted referee's result is authoritative: its hash is accepted, the referee and the first
 * worker that agrees with it are paid, every other hash is rejected. That is the tie-break:
 * a cartel that outnumbers an honest worker still loses to the referee.
 */
export function decideQuorum(results: readonly SubmittedResult[], replicasWanted: number): QuorumDecision {
	const need = replicasWanted === 1 ? 1 : QUORUM;
	const referee = results.find((r) => r.trusted);
	if (referee) {
		const agreeing = results.filter((r) => r.sha256 === referee.sha256).map((r) => r.worker);
		const payees = [referee.worker, ...agreeing.filter((w) => w !== referee.worker)].slice(0, need);
		const rejected = results.filter((r) => r.sha256 !== referee.sha256).map((r) => r.worker);
		return { kind: 'accept', sha256: referee.sha256, payees, agreeing, rejected };
	}
	const byHash = new Map<string, string[]>();
	for (const r of results) {
		const workers = byHash.get(r.sha256) ?? [];
		workers.push(r.worker);
		byHash.set(r.sha256, workers);
	}
	for (const [sha256, workers] of byHash) {
		if (workers.length >= need) {
			const payees = workers.slice(0, need);
			const rejected = results.filter((r) => r.sha256 !== sha256).map((r) => r.worker);
			return { kind: 'accept', sha256, payees, agreeing: workers, rejected };
		}
	}
	if (results.length < replicasWanted) return { kind: 'pending' };
	if (replicasWanted < TASK_REPLICAS_MAX) return { kind: 'dispute', replicasWanted: replicasWanted + 1 };
	return { kind: 'fail', rejected: results.map((r) => r.worker) };
}

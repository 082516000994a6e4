import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { finishJob } from '../jobs/finish-job.js';
import { taskFeeMicro } from '../jobs/pricing.js';
import { escrowAccount, FEE_ACCOUNT, transferIds } from '../ledger/account-ids.js';
import { ensureHoldings, holdingFor, isFunding } from '../ledger/funding.js';
import { transferMany, type Transfer } from '../ledger/transfer.js';
import { int, type Sql } from '../store/db.js';
import type { QuorumDecision } from './quorum.js';
import { penalizeInvalid, type InvalidResult } from '../trust/penalize.js';
import { recordValid } from '../trust/reputation.js';

/** Disputes widen tasks; accepted and failed tasks close, pay their quorum and the fee, and count toward their job. */
export async function applyDecisions(
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
			`UPDATE tasks SET replicas_wanted = v.w, referee_only = EXISTS (SELECT 1 FROM trusted_keys), claimable_after = 0
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
	const closed = await tx.query<{ task_id: string; job_id: string; price_micro: unknown; idx: unknown; state: 'accepted' | 'failed'; fee_bps: unknown; funding: string; tasks: unknown; tasks_done: unknown; tasks_failed: unknown }>(
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
			RETURNING jobs.id, jobs.fee_bps, jobs.funding, jobs.tasks, jobs.tasks_done, jobs.tasks_failed
		)
		SELECT t.id AS task_id, t.job_id, t.price_micro, t.idx, t.state, j.fee_bps, j.funding, j.tasks, j.tasks_done, j.tasks_failed FROM t JOIN j ON j.id = t.job_id`,
		values
	);
	if (closed.length !== closing.length) throw new Error(`settled ${closed.length} of ${closing.length} tasks: a task was settled twice`);

	const transfers: Transfer[] = [];
	const valid: string[] = [];
	const invalid: InvalidResult[] = [];
	const mayFinish = new Set<string>();
	const starterPayees: string[] = [];
	for (const c of closed) {
		const d = decisions.get(c.task_id);
		if (d?.kind === 'accept') {
			const price = int(c.price_micro);
			// A job paid with starter credits pays its workers in starter credits (ledger/funding.ts).
			const funding = isFunding(c.funding) ? c.funding : 'balance';
			if (funding === 'starter') starterPayees.push(...d.payees);
			for (const worker of d.payees) {
				transfers.push({ id: transferIds.payout(c.task_id, worker), debit: escrowAccount(c.job_id), credit: holdingFor(funding, worker), amountMicro: price, reason: 'payout', jobId: c.job_id, taskId: c.task_id });
				paid.set(`${c.task_id}:${worker}`, price);
			}
			const fee = taskFeeMicro(price, int(c.fee_bps));
			if (fee > 0) transfers.push({ id: transferIds.fee(c.task_id), debit: escrowAccount(c.job_id), credit: FEE_ACCOUNT, amountMicro: fee, reason: 'fee', jobId: c.job_id, taskId: c.task_id });
			valid.push(...d.agreeing);
			for (const worker of d.rejected) invalid.push({ worker, taskId: c.task_id, jobId: c.job_id, idx: int(c.idx), priceMicro: price, why: d.why });
		}
		if (int(c.tasks_done) + int(c.tasks_failed) === int(c.tasks)) mayFinish.add(c.job_id);
		events.push({ type: 'task', jobId: c.job_id, idx: int(c.idx), state: c.state, sha256: d?.kind === 'accept' ? d.sha256 : null, tasksDone: int(c.tasks_done), tasks: int(c.tasks) });
	}
	await ensureHoldings(tx, 'starter', starterPayees);
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

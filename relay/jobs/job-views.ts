import type { JobDetail, JobState, JobSummary, TaskState, TaskView } from '../../src/lib/protocol/jobs.js';
import { int, type Sql } from '../store/db.js';

interface JobRow {
	id: string;
	requester: string;
	kernel: string;
	kernel_version: unknown;
	spec: unknown;
	state: JobState;
	tasks: unknown;
	tasks_done: unknown;
	budget_micro: unknown;
	estimate_micro: unknown;
	created_at: unknown;
	finished_at: unknown;
	paid: unknown;
	fee: unknown;
	refunded: unknown;
	clawed_back: unknown;
}

const SUMMARY_SQL = `
	SELECT j.id, j.requester, j.kernel, j.kernel_version, j.spec, j.state, j.tasks, j.tasks_done, j.budget_micro,
		j.estimate_micro, j.created_at, j.finished_at,
		coalesce(sum(t.amount_micro) FILTER (WHERE t.reason = 'payout'), 0) AS paid,
		coalesce(sum(t.amount_micro) FILTER (WHERE t.reason = 'fee'), 0) AS fee,
		coalesce(sum(t.amount_micro) FILTER (WHERE t.reason = 'refund'), 0) AS refunded,
		coalesce(sum(t.amount_micro) FILTER (WHERE t.reason = 'clawback'), 0) AS clawed_back
	FROM jobs j LEFT JOIN transfers t ON t.job_id = j.id AND t.reason IN ('payout', 'fee', 'refund', 'clawback')`;

function toSummary(r: JobRow): JobSummary {
	return {
		id: r.id,
		requester: r.requester,
		kernel: r.kernel,
		kernelVersion: int(r.kernel_version),
		spec: typeof r.spec === 'string' ? JSON.parse(r.spec) : r.spec,
		state: r.state,
		tasks: int(r.tasks),
		tasksDone: int(r.tasks_done),
		budgetMicro: int(r.budget_micro),
		estimateMicro: int(r.estimate_micro),
		paidMicro: int(r.paid),
		feeMicro: int(r.fee),
		refundedMicro: int(r.refunded),
		clawedBackMicro: int(r.clawed_back),
		createdAt: int(r.created_at),
		finishedAt: r.finished_at === null ? null : int(r.finished_at)
	};
}

export async function jobSummary(db: Sql, jobId: string): Promise<JobSummary | null> {
	const [row] = await db.query<JobRow>(`${SUMMARY_SQL} WHERE j.id = $1 GROUP BY j.id`, [jobId]);
	return row ? toSummary(row) : null;
}

export async function listJobs(db: Sql, requester: string | null, limit: number): Promise<JobSummary[]> {
	const rows = requester
		? await db.query<JobRow>(`${SUMMARY_SQL} WHERE j.requester = $1 GROUP BY j.id ORDER BY j.created_at DESC LIMIT $2`, [requester, limit])
		: await db.query<JobRow>(`${SUMMARY_SQL} GROUP BY j.id ORDER BY j.created_at DESC LIMIT $1`, [limit]);
	return rows.map(toSummary);
}

export async function jobDetail(db: Sql, jobId: string): Promise<JobDetail | null> {
	const job = await jobSummary(db, jobId);
	if (!job) return null;
	const tasks = await db.query<{
		id: string; idx: unknown; state: TaskState; rect_x: unknown; rect_y: unknown; rect_w: unknown; rect_h: unknown;
		accepted_hash: string | null; replicas_wanted: unknown;
	}>('SELECT id, idx, state, rect_x, rect_y, rect_w, rect_h, accepted_hash, replicas_wanted FROM tasks WHERE job_id = $1 ORDER BY idx', [jobId]);
	const results = await db.query<{ task_id: string; worker: string; sha256: string; verdict: 'pending' | 'agreed' | 'rejected' }>(
		'SELECT r.task_id, r.worker, r.sha256, r.verdict FROM results r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = $1 ORDER BY r.seq',
		[jobId]
	);
	const byTask = new Map<string, TaskView['results']>();
	for (const r of results) {
		const list = byTask.get(r.task_id) ?? [];
		list.push({ worker: r.worker, sha256: r.sha256, verdict: r.verdict });
		byTask.set(r.task_id, list);
	}
	return {
		job,
		tasks: tasks.map((t) => ({
			id: t.id,
			idx: int(t.idx),
			state: t.state,
			rect: { x: int(t.rect_x), y: int(t.rect_y), w: int(t.rect_w), h: int(t.rect_h) },
			acceptedHash: t.accepted_hash,
			replicasWanted: int(t.replicas_wanted),
			results: byTask.get(t.id) ?? []
		}))
	};
}

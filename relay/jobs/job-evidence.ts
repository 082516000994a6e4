import type { JobEvidence, TaskEvidence } from '../../src/lib/protocol/evidence.js';
import { int, type Sql } from '../store/db.js';

/** Every task of a job with each worker's signed receipt, for the requester to check (null: no such job). */
export async function jobEvidence(db: Sql, jobId: string): Promise<JobEvidence | null> {
	const [job] = await db.query<{ kernel: string; kernel_version: unknown }>('SELECT kernel, kernel_version FROM jobs WHERE id = $1', [jobId]);
	if (!job) return null;
	const tasks = await db.query<{ id: string; idx: unknown; state: TaskEvidence['state']; accepted_hash: string | null; replicas_wanted: unknown }>(
		'SELECT id, idx, state, accepted_hash, replicas_wanted FROM tasks WHERE job_id = $1 ORDER BY idx',
		[jobId]
	);
	const receipts = await db.query<{ task_id: string; lease_id: string; worker: string; sha256: string; verdict: TaskEvidence['receipts'][number]['verdict']; receipt_signature: string }>(
		'SELECT r.task_id, r.lease_id, r.worker, r.sha256, r.verdict, r.receipt_signature FROM results r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = $1 ORDER BY r.seq',
		[jobId]
	);
	const byTask = new Map<string, TaskEvidence['receipts']>();
	for (const r of receipts) {
		const list = byTask.get(r.task_id) ?? [];
		list.push({ leaseId: r.lease_id, worker: r.worker, sha256: r.sha256, verdict: r.verdict, signature: r.receipt_signature });
		byTask.set(r.task_id, list);
	}
	return {
		jobId,
		kernel: job.kernel,
		kernelVersion: int(job.kernel_version),
		tasks: tasks.map((t) => ({
			id: t.id,
			idx: int(t.idx),
			state: t.state,
			acceptedHash: t.accepted_hash,
			replicasWanted: int(t.replicas_wanted),
			receipts: byTask.get(t.id) ?? []
		}))
	};
}

// How the contributor names tasks and ids in its activity lines.
import type { Lease } from '../protocol/leases.js';

/** `tile 7 of job j99ad2e` when the task id is `<jobId>:<idx>`, else the shortened task id. */
export function taskLabel(lease: Lease): string {
	const prefix = `${lease.jobId}:`;
	const job = lease.jobId.slice(0, 8);
	return lease.taskId.startsWith(prefix) ? `tile ${lease.taskId.slice(prefix.length)} of job ${job}` : `task ${short(lease.taskId)}`;
}

export const short = (id: string) => (id.length > 10 ? `${id.slice(0, 8)}…` : id);

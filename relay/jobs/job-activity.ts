import type { JobActivity } from '../../src/lib/protocol/jobs.js';
import { JOB_DEVICES_LISTED_MAX, PRESENCE_ONLINE_MS, QUORUM } from '../../src/lib/protocol/limits.js';
import type { RelayContext } from '../context.js';
import { int } from '../store/db.js';
import { independentKeys } from '../tasks/presence.js';
import { jobSummary } from './job-views.js';

/**
 * Who works on a job and what its open tasks wait for: the devices that took its tasks (with
 * what each advertised), who is contributing right now, and the open tasks by what they wait
 * on. Hashes and counts only; null for an unknown job.
 */
export async function jobActivity(ctx: RelayContext, jobId: string, now: number): Promise<JobActivity | null> {
	const job = await jobSummary(ctx.db, jobId);
	if (!job) return null;
	const devices = await ctx.db.query<{ worker: string; label: string | null; backend: string; done: unknown; computing: unknown }>(
		`SELECT l.worker, max(d.label) AS label, (array_agg(l.backend ORDER BY l.created_at DESC))[1] AS backend,
			count(*) FILTER (WHERE l.state IN ('committed', 'submitted')) AS done,
			count(*) FILTER (WHERE l.state = 'active' AND l.expires_at > $2) AS computing
		FROM leases l JOIN tasks t ON t.id = l.task_id LEFT JOIN devices d ON d.key = l.worker AND d.id = l.device
		WHERE t.job_id = $1
		GROUP BY l.worker ORDER BY min(l.created_at) LIMIT ${JOB_DEVICES_LISTED_MAX}`,
		[jobId, now]
	);
	const [counts] = await ctx.db.query<{ open: unknown; computing: unknown; waiting: unknown; requeued: unknown }>(
		`SELECT count(*) AS open,
			count(*) FILTER (WHERE x.computing > 0) AS computing,
			count(*) FILTER (WHERE x.computing = 0 AND x.bound > 0 AND x.bound < t.replicas_wanted) AS waiting,
			count(*) FILTER (WHERE x.lapsed) AS requeued
		FROM tasks t CROSS JOIN LATERAL (
			SELECT count(*) FILTER (WHERE l.state = 'submitted' OR (l.state = 'committed' AND l.expires_at > $2)) AS bound,
				count(*) FILTER (WHERE l.state = 'active' AND l.expires_at > $2) AS computing,
				coalesce(bool_or((l.state IN ('active', 'committed') AND l.expires_at <= $2) OR l.state IN ('lapsed', 'abandoned')), false) AS lapsed
			FROM leases l WHERE l.task_id = t.id
		) x
		WHERE t.job_id = $1 AND t.state = 'open'`,
		[jobId, now]
	);
	const online = ctx.presence.online(job.kernel, now, PRESENCE_ONLINE_MS);
	const onlineKeys = new Set(online.map((o) => o.key));
	return {
		jobId,
		now,
		job,
		replicasPerTask: QUORUM,
		contributorsOnline: online.length,
		independentOnline: independentKeys(online),
		devices: devices.map((d) => ({
			key: d.worker,
			label: d.label ?? 'a device',
			backend: d.backend,
			done: int(d.done),
			computing: int(d.computing),
			online: onlineKeys.has(d.worker)
		})),
		tasks: { open: int(counts?.open ?? 0), computing: int(counts?.computing ?? 0), waitingForPartner: int(counts?.waiting ?? 0), requeued: int(counts?.requeued ?? 0) }
	};
}

import { createHash } from 'node:crypto';
import * as v from 'valibot';
import type { CreateJobRequest, JobSummary } from '../../src/lib/protocol/jobs.js';
import { QUORUM } from '../../src/lib/protocol/limits.js';
import { getKernel } from '../../src/lib/kernels/registry.js';
import type { TaskPlan } from '../../src/lib/kernels/types.js';
import { DomainError } from '../domain-error.js';
import { describeIssues } from '../api/validation-issues.js';
import type { RelayContext } from '../context.js';
import { FundsShort } from '../ledger/funding.js';
import { escrowJob } from './escrow-job.js';
import { int, type Sql } from '../store/db.js';
import { canonicalJson, jsonColumn } from '../store/json-column.js';
import { jobSummary } from './job-views.js';
import { estimateMicro } from './pricing.js';

/** Rows per multi-row INSERT: keeps one statement's parameters well under Postgres' 65,535. */
const TASK_INSERT_BATCH = 200;

export interface PlannedJob {
	kernelId: string;
	kernelVersion: number;
	spec: unknown;
	plans: TaskPlan<unknown>[];
	/** Each plan's cost class (the kernel's device fit), in the same order. */
	costClasses: number[];
	estimateMicro: number;
}

/** Validates a spec and splits it with the kernel's own shared code (no compute happens here). */
export function planJob(kernelId: string, rawSpec: unknown, feeBps: number): PlannedJob {
	const kernel = getKernel(kernelId);
	if (!kernel) throw new DomainError('unknown_kernel', `unknown kernel "${kernelId}"`);
	const parsed = v.safeParse(kernel.specSchema, rawSpec);
	if (!parsed.success) {
		const { details, text } = describeIssues(parsed.issues, 'spec', true);
		throw new DomainError('invalid_spec', text, { details });
	}
	let plans: TaskPlan<unknown>[];
	try {
		plans = kernel.split(parsed.output);
	} catch (err) {
		throw new DomainError('invalid_spec', `cannot split this ${kernelId} spec: ${(err as Error).message}`);
	}
	return {
		kernelId,
		kernelVersion: kernel.version,
		spec: parsed.output,
		plans,
		costClasses: plans.map((p) => kernel.costClass(p.params)),
		estimateMicro: estimateMicro(plans.map((p) => p.priceMicro), feeBps)
	};
}

/** Same requester and clientRef always name the same job, so a retried create is harmless. */
function jobIdFor(requester: string, clientRef: string): string {
	return 'j' + createHash('sha256').update(`${requester}:${clientRef}`).digest('hex').slice(0, 24);
}

/**
 * Creates a job and escrows its budget in one transaction: either the job, its tasks and the
 * escrow all exist, or none of them do.
 */
export async function createJob(ctx: RelayContext, requester: string, req: CreateJobRequest, now: number): Promise<{ job: JobSummary; created: boolean }> {
	const feeBps = ctx.config.feeBps;
	const plan = planJob(req.kernel, req.spec, feeBps);
	if (req.budgetMicro < plan.estimateMicro) {
		throw new DomainError('budget_too_low', `budget ${req.budgetMicro} µcr does not cover the estimate of ${plan.estimateMicro} µcr`, {
			details: { estimateMicro: plan.estimateMicro }
		});
	}
	const jobId = jobIdFor(requester, req.clientRef);
	const created = await ctx.db.transaction(async (tx) => {
		const [existing] = await tx.query<{ kernel: string; spec: unknown; budget_micro: unknown }>('SELECT kernel, spec, budget_micro FROM jobs WHERE id = $1', [jobId]);
		if (existing) {
			// Compared canonically: jsonb reorders keys, and postgres.js returns the stored text.
			const same = existing.kernel === plan.kernelId && canonicalJson(jsonColumn(existing.spec)) === canonicalJson(plan.spec) && Number(existing.budget_micro) === req.budgetMicro;
			if (!same) throw new DomainError('conflict', `clientRef ${req.clientRef} was already used for a different job`);
			return false;
		}
		await tx.query(
			`INSERT INTO jobs (id, requester, client_ref, kernel, kernel_version, spec, state, tasks, budget_micro, estimate_micro, fee_bps, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, $10, $11)`,
			[jobId, requester, req.clientRef, plan.kernelId, plan.kernelVersion, JSON.stringify(plan.spec), plan.plans.length, req.budgetMicro, plan.estimateMicro, feeBps, now]
		);
		try {
			await escrowJob(tx, jobId, requester, req.budgetMicro, now);
		} catch (err) {
			if (err instanceof FundsShort) throw new DomainError('insufficient_funds', `${err.message} (the budget of this job)`);
			throw err;
		}
		// Where this job joins the queue: the lowest place still open (see migration 007).
		const [front] = await tx.query<{ k: unknown }>(`SELECT coalesce(min(queue_key), 0) AS k FROM tasks WHERE state = 'open'`);
		await insertTasks(tx, jobId, plan.plans, plan.costClasses, int(front?.k ?? 0));
		return true;
	});
	const job = await jobSummary(ctx.db, jobId);
	if (!job) throw new Error(`job ${jobId} vanished after creation`);
	if (created) {
		ctx.events.publish(jobId, { type: 'job', job });
		ctx.maintenance.soon();
	}
	return { job, created };
}

async function insertTasks(tx: Sql, jobId: string, plans: TaskPlan<unknown>[], costClasses: number[], queueFront: number): Promise<void> {
	for (let start = 0; start < plans.length; start += TASK_INSERT_BATCH) {
		const batch = plans.slice(start, start + TASK_INSERT_BATCH);
		const values: unknown[] = [];
		const rows = batch.map((p, i) => {
			const b = i * 12;
			const cls = costClasses[start + i] ?? 0;
			values.push(`${jobId}:${p.idx}`, jobId, p.idx, JSON.stringify(p.params), p.rect.x, p.rect.y, p.rect.w, p.rect.h, p.resultBytes, p.priceMicro, cls, queueFront + p.idx);
			return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10}, $${b + 11}, $${b + 12}, 'open', ${QUORUM})`;
		});
		await tx.query(
			`INSERT INTO tasks (id, job_id, idx, params, rect_x, rect_y, rect_w, rect_h, result_bytes, price_micro, cost_class, queue_key, state, replicas_wanted) VALUES ${rows.join(', ')}`,
			values
		);
	}
}

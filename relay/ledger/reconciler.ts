// The books are reconciled in the background, never on a public request: once soon after start, then
// every RECONCILE_INTERVAL_MS, and when the operator asks. One run at a time; asks during a run
// share a single follow-up run, so however often it is asked it runs back to back at most. Each
// run is a series of short statements with a pause between them, so a claim never waits behind
// more than one of them.
import { HEALTH_PROBLEMS_MAX, type Reconciliation } from '../../src/lib/protocol/health.js';
import type { Sql } from '../store/db.js';
import { reconcile, type ReconcileOptions } from './invariants.js';

type ReconcileTrigger = Reconciliation['trigger'];

export interface Reconciler {
	/** The last finished reconciliation; null before the first. */
	latest(): Reconciliation | null;
	readonly running: boolean;
	readonly intervalMs: number;
	/** A reconciliation that starts after this call: the follow-up already queued, or a new one. */
	fresh(trigger: ReconcileTrigger): Promise<Reconciliation>;
	stop(): Promise<void>;
}

/** The first run waits this long, so it does not compete with the start-up vacuum and the first requests. */
const STARTUP_DELAY_MS = 1_000;

/** The longest pause between two statements. */
const PAUSE_MS_MAX = 20;

/**
 * Lets requests that queued for the database run before the next statement, and pauses as long
 * as the last statement took: even asked back to back, a reconciliation holds the database at
 * most about half the time.
 */
const pause = (lastStepMs: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(PAUSE_MS_MAX, Math.ceil(lastStepMs))));

export function startReconciler(db: Sql, intervalMs: number, log: (msg: string) => void = () => {}, opts: Omit<ReconcileOptions, 'between'> = {}): Reconciler {
	let latest: Reconciliation | null = null;
	let current: Promise<Reconciliation> | null = null;
	let queued: Promise<Reconciliation> | null = null;
	let stopped = false;

	const runOnce = async (trigger: ReconcileTrigger): Promise<Reconciliation> => {
		const startedAt = Date.now();
		const started = performance.now();
		const r = await reconcile(db, { ...opts, between: pause });
		const invariants = r.results.map((x) => ({ name: x.name, ok: x.problems.length === 0, problemCount: x.problems.length, problems: x.problems.slice(0, HEALTH_PROBLEMS_MAX) }));
		const report: Reconciliation = {
			ok: invariants.every((i) => i.ok),
			trigger,
			startedAt,
			finishedAt: Date.now(),
			checkMs: Math.round(performance.now() - started),
			steps: r.steps,
			longestStepMs: Math.round(r.longestStepMs * 10) / 10,
			invariants
		};
		if (!report.ok) log(`reconciliation found broken invariants: ${invariants.filter((i) => !i.ok).map((i) => `${i.name} (${i.problemCount})`).join('; ')}`);
		latest = report;
		return report;
	};
	const start = (trigger: ReconcileTrigger): Promise<Reconciliation> => {
		const run = runOnce(trigger).finally(() => {
			if (current === run) current = null;
		});
		current = run;
		return run;
	};
	const fresh = (trigger: ReconcileTrigger): Promise<Reconciliation> => {
		if (stopped) return Promise.reject(new Error('the relay is shutting down'));
		if (queued) return queued;
		if (!current) return start(trigger);
		const next = current
			.catch(() => undefined)
			.then(() => {
				queued = null;
				if (stopped) throw new Error('the relay is shutting down');
				return start(trigger);
			});
		queued = next;
		return next;
	};
	const background = (trigger: ReconcileTrigger) => {
		if (current || stopped) return;
		fresh(trigger).catch((err: unknown) => log(`reconciliation failed: ${(err as Error).message}`));
	};
	const first = setTimeout(() => background('startup'), STARTUP_DELAY_MS);
	first.unref();
	const timer = setInterval(() => background('schedule'), intervalMs);
	timer.unref();
	return {
		latest: () => latest,
		get running() {
			return current !== null;
		},
		intervalMs,
		fresh,
		async stop() {
			stopped = true;
			clearTimeout(first);
			clearInterval(timer);
			await Promise.allSettled([queued, current]);
		}
	};
}

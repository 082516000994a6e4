// One job kept live for a page: its detail once, then the job stream's events, resynced after a
// reconnect and once more when the job ends (so nothing missed stays missing); the tasks as they
// are accepted or taken back; and every few seconds while it runs, its activity (who works on it,
// what it waits for) with its money. Whatever a kernel's page draws, it hears through the hooks.
import type { JobActivity, JobDetail, JobSummary, TaskView } from '$lib/protocol';
import { openJobStream, type JobStream, type StreamStatus } from '../relay-api/job-stream';
import { describeError, isRelayError } from '../relay-api/relay-client';
import { session } from './session.svelte';

export interface LiveJobHooks {
	/** The detail as loaded (first and after each reconnect); throw to refuse a job of another kind. */
	onDetail?(detail: JobDetail): void;
	/** A task's result was accepted (its bytes can be fetched). */
	onAccepted(idx: number): void;
	/** A task was taken back (reopened or voided after its worker was caught cheating). */
	onTakenBack(idx: number): void;
}

/** How often a running job's activity and money are asked for while the page is visible. */
const ACTIVITY_POLL_MS = 3_000;

export class LiveJob {
	job = $state.raw<JobSummary | null>(null);
	activity = $state.raw<JobActivity | null>(null);
	tasks = $state.raw<TaskView[]>([]);
	streamStatus = $state<StreamStatus>('connecting');
	loadError = $state<string | null>(null);
	cancelling = $state(false);
	actionError = $state<string | null>(null);

	readonly done = $derived(this.job?.tasksDone ?? 0);
	readonly total = $derived(this.job?.tasks ?? 0);
	readonly percent = $derived(this.total > 0 ? (100 * this.done) / this.total : 0);
	readonly running = $derived(this.job?.state === 'running');
	readonly mine = $derived(!!this.job && this.job.requester === session.publicKeyHex);

	constructor(
		readonly jobId: string,
		private readonly hooks: LiveJobHooks
	) {}

	/** Loads the job and follows its stream; returns the disposer (call it from onMount). */
	start(): () => void {
		let stream: JobStream | null = null;
		let disposed = false;
		let opens = 0;
		const poll = setInterval(() => {
			if (!disposed && this.running && document.visibilityState === 'visible') void this.refreshActivity();
		}, ACTIVITY_POLL_MS);
		void (async () => {
			try {
				await session.start();
				await this.sync();
			} catch (err) {
				this.loadError = isRelayError(err, 'not_found') ? 'There is no job with this id.' : describeError(err);
				return;
			}
			if (disposed) return;
			void this.refreshActivity();
			stream = openJobStream(session.client.eventsUrl(this.jobId), {
				onStatus: (status) => {
					this.streamStatus = status;
					// After a reconnect, catch up on anything missed while the stream was down.
					if (status === 'open' && opens++ > 0) void this.sync().catch(() => undefined);
				},
				onEvent: (event) => {
					if (event.type === 'job') {
						const ended = this.job?.state === 'running' && event.job.state !== 'running';
						this.job = event.job;
						if (event.job.state !== 'running') session.refreshSoon();
						// The last word: every accepted task once more, and the final activity.
						if (ended) void this.sync().then(() => this.refreshActivity()).catch(() => undefined);
						return;
					}
					if (event.jobId !== this.jobId) return;
					if (this.job) this.job = { ...this.job, tasksDone: event.tasksDone, tasks: event.tasks };
					this.tasks = this.tasks.map((t) => (t.idx === event.idx ? { ...t, state: event.state, acceptedHash: event.sha256 } : t));
					if (event.state === 'accepted') this.hooks.onAccepted(event.idx);
					else if (event.state === 'open' || event.state === 'voided') this.hooks.onTakenBack(event.idx);
				}
			});
		})();
		return () => {
			disposed = true;
			clearInterval(poll);
			stream?.close();
		};
	}

	/** Who works on the job now; its money too, keeping the newer progress of the two sources. */
	private async refreshActivity(): Promise<void> {
		try {
			const activity = await session.client.jobActivity(this.jobId);
			this.activity = activity;
			const current = this.job;
			// An answer older than what the stream already said (the job ended meanwhile) changes nothing.
			if (current && current.state !== 'running' && activity.job.state === 'running') return;
			this.job = current && current.tasksDone > activity.job.tasksDone ? { ...activity.job, tasksDone: current.tasksDone } : activity.job;
		} catch {
			// The stream's status and the layout's banner say when the relay is unreachable.
		}
	}

	private async sync(): Promise<void> {
		const detail = await session.client.job(this.jobId);
		this.hooks.onDetail?.(detail);
		this.job = detail.job;
		this.tasks = detail.tasks;
		for (const t of detail.tasks) if (t.state === 'accepted') this.hooks.onAccepted(t.idx);
	}

	async cancel(): Promise<void> {
		if (!this.job) return;
		this.cancelling = true;
		this.actionError = null;
		try {
			this.job = await session.client.cancelJob(this.job.id);
			session.refreshSoon();
		} catch (err) {
			this.actionError = describeError(err);
		} finally {
			this.cancelling = false;
		}
	}
}

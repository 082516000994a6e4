// One job kept live for a page: its detail once, then the job stream's events, resynced after a
// reconnect; the tasks as they are accepted or taken back. Whatever a kernel's page draws, it
// hears about it through the hooks.
import type { JobDetail, JobSummary, TaskView } from '$lib/protocol';
import { openJobStream, type JobStream, type StreamStatus } from './job-stream';
import { describeError, isRelayError } from './relay-client';
import { session } from './session.svelte';

export interface LiveJobHooks {
	/** The detail as loaded (first and after each reconnect); throw to refuse a job of another kind. */
	onDetail?(detail: JobDetail): void;
	/** A task's result was accepted (its bytes can be fetched). */
	onAccepted(idx: number): void;
	/** A task was taken back (reopened or voided after its worker was caught cheating). */
	onTakenBack(idx: number): void;
}

export class LiveJob {
	job = $state.raw<JobSummary | null>(null);
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
		void (async () => {
			try {
				await session.start();
				await this.sync();
			} catch (err) {
				this.loadError = isRelayError(err, 'not_found') ? 'There is no job with this id.' : describeError(err);
				return;
			}
			if (disposed) return;
			stream = openJobStream(session.client.eventsUrl(this.jobId), {
				onStatus: (status) => {
					this.streamStatus = status;
					// After a reconnect, catch up on anything missed while the stream was down.
					if (status === 'open' && opens++ > 0) void this.sync().catch(() => undefined);
				},
				onEvent: (event) => {
					if (event.type === 'job') {
						this.job = event.job;
						if (event.job.state !== 'running') session.refreshSoon();
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
			stream?.close();
		};
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

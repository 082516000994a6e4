// The requester's side of Mycelia for programs, in Node and in the browser: an identity, a
// balance, jobs of any registered kernel submitted, followed and cancelled, and results that
// come with their evidence checked here (the workers' signed receipts, the bytes' hashes, every
// task the spec splits into) rather than taken on the relay's word.
import { EventSource as NodeEventSource } from 'eventsource';
import * as v from 'valibot';
import { getKernel, type AnyKernelMeta } from '../kernels/registry.js';
import type { RenderedResult } from '../kernels/types.js';
import { openJobStream } from '../relay-api/job-stream.js';
import { RelayClient, RelayError } from '../relay-api/relay-client.js';
import type { EstimateResponse, JobDetail, JobSummary } from '../protocol/jobs.js';
import type { Holdings } from '../protocol/stakes.js';
import { checkEvidence, type EvidenceCheck } from './check-evidence.js';
import { loadKeyFile, type Identity } from './key-file.js';

/** Tiles downloaded at once when a result is fetched. */
const DOWNLOADS_AT_ONCE = 4;
/** A job is re-read this often while its event stream is down, so progress never stops for long. */
const POLL_MS = 5_000;
/** The budget suggested for a job: its worst-case estimate rounded up to whole hundredths of a credit. */
const BUDGET_ROUND_MICRO = 10_000;

export interface ConnectOptions {
	/** The relay's origin, e.g. http://127.0.0.1:8787. */
	relay: string;
	/** An identity, or a key file to load one from (key-file.ts); one of the two. */
	identity?: Identity;
	keyFile?: string;
	fetch?: typeof fetch;
}

/** Why a program's request could not be done, in words; `code` is the relay's where it answered. */
export class MyceliaError extends Error {
	constructor(
		message: string,
		readonly code: string,
		readonly cause?: unknown
	) {
		super(message);
		this.name = 'MyceliaError';
	}
}

/** A job's progress as it is followed. */
export interface Progress {
	state: JobSummary['state'];
	tasksDone: number;
	tasks: number;
	paidMicro: number;
}

/** A finished job's result: the kernel's rendering of the verified bytes, and the evidence. */
export interface JobResult {
	job: JobSummary;
	rendered: RenderedResult;
	evidence: EvidenceCheck;
}

function kernelOf(id: string): AnyKernelMeta {
	const kernel = getKernel(id);
	if (!kernel) throw new MyceliaError(`unknown kernel "${id}"`, 'unknown_kernel');
	return kernel;
}

/** The spec checked with the kernel's own schema, with every problem named by field. */
export function checkSpec(kernelId: string, spec: unknown): unknown {
	const parsed = v.safeParse(kernelOf(kernelId).specSchema, spec);
	if (parsed.success) return parsed.output;
	const words = parsed.issues.map((i) => `${v.getDotPath(i) ?? 'spec'}: ${i.message}`).join('; ');
	throw new MyceliaError(`invalid ${kernelId} spec: ${words}`, 'invalid_spec');
}

/** Relay and network errors as MyceliaErrors, with the relay's own words. */
async function asked<T>(what: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (err) {
		if (err instanceof MyceliaError) throw err;
		if (err instanceof RelayError) {
			const why = err.code === 'network' ? `the relay could not be reached (${err.message})` : err.message;
			throw new MyceliaError(`${what}: ${why}`, err.code, err);
		}
		throw err;
	}
}

export class Mycelia {
	private constructor(
		readonly relay: RelayClient,
		readonly identity: Identity
	) {}

	/** Loads the identity and asks the relay for its clock, so a wrong URL fails here in words. */
	static async connect(opts: ConnectOptions): Promise<Mycelia> {
		const identity = opts.identity ?? (opts.keyFile ? await loadKeyFile(opts.keyFile) : null);
		if (!identity) throw new MyceliaError('an identity or a key file is needed', 'no_identity');
		let origin: string;
		try {
			origin = new URL(opts.relay).origin;
		} catch {
			throw new MyceliaError(`"${opts.relay}" is not a URL (for example http://127.0.0.1:8787)`, 'bad_relay_url');
		}
		const relay = new RelayClient({ origin, signer: identity, fetch: opts.fetch });
		await asked(`no Mycelia relay at ${origin}`, () => relay.info());
		return new Mycelia(relay, identity);
	}

	get key(): string {
		return this.identity.publicKeyHex;
	}

	/** Balance, starter credits, stake and what is unstaking or locked. */
	balance(): Promise<Holdings> {
		return asked('could not read the balance', () => this.relay.holdings(this.key));
	}

	/** The starter grant (once per key; bounded per network and per day by the relay). */
	grant() {
		return asked('no starter credits', () => this.relay.grantDemo());
	}

	/** What a job would cost at most, before paying for it. */
	estimate(kernel: string, spec: unknown): Promise<EstimateResponse> {
		const checked = checkSpec(kernel, spec);
		return asked('could not estimate the job', () => this.relay.estimate(kernel, checked));
	}

	/**
	 * Submits a job and returns it. The budget is the estimate rounded up unless given; the
	 * `clientRef` makes a retried submit return the same job (a fresh one by default).
	 */
	async submit(kernel: string, spec: unknown, opts: { budgetMicro?: number; clientRef?: string } = {}): Promise<Job> {
		const checked = checkSpec(kernel, spec);
		const budgetMicro = opts.budgetMicro ?? Math.ceil((await this.estimate(kernel, checked)).estimateMicro / BUDGET_ROUND_MICRO) * BUDGET_ROUND_MICRO;
		const clientRef = opts.clientRef ?? `client-${crypto.randomUUID()}`;
		const job = await asked('the job was not created', () => this.relay.createJob({ kernel, spec: checked, budgetMicro, clientRef }));
		return new Job(this, job.id);
	}

	/** A job by id (one this key submitted, for cancel). */
	job(id: string): Job {
		return new Job(this, id);
	}
}

export class Job {
	constructor(
		private readonly mycelia: Mycelia,
		readonly id: string
	) {}

	private get relay(): RelayClient {
		return this.mycelia.relay;
	}

	/** The job and every task, as the relay has them now. */
	detail(): Promise<JobDetail> {
		return asked(`could not read job ${this.id}`, () => this.relay.job(this.id));
	}

	/** Cancels a running job; unspent budget returns to the requester. */
	async cancel(): Promise<JobSummary> {
		return asked(`could not cancel job ${this.id}`, () => this.relay.cancelJob(this.id));
	}

	/**
	 * Follows the job's event stream until it is no longer running, calling `onProgress` as tasks
	 * are accepted; resolves with the final summary. Re-reads the job while the stream is down.
	 */
	async follow(onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<JobSummary> {
		const first = (await this.detail()).job;
		let last: Progress = { state: first.state, tasksDone: first.tasksDone, tasks: first.tasks, paidMicro: first.paidMicro };
		const report = (p: Partial<Progress>) => {
			last = { ...last, ...p };
			onProgress?.(last);
		};
		report({});
		if (first.state !== 'running') return first;
		return new Promise<JobSummary>((resolve, reject) => {
			let settled = false;
			const finish = (err: unknown, job?: JobSummary) => {
				if (settled) return;
				settled = true;
				stream.close();
				clearInterval(poll);
				signal?.removeEventListener('abort', onAbort);
				if (job) resolve(job);
				else reject(err);
			};
			const check = async () => {
				try {
					const job = (await this.detail()).job;
					report({ state: job.state, tasksDone: job.tasksDone, tasks: job.tasks, paidMicro: job.paidMicro });
					if (job.state !== 'running') finish(null, job);
				} catch (err) {
					// A relay that stopped answering is reported, not waited on forever.
					if (err instanceof MyceliaError && err.code === 'network') finish(err);
				}
			};
			const stream = openJobStream(
				this.relay.eventsUrl(this.id),
				{
					onEvent: (e) => {
						if (e.type === 'job') {
							report({ state: e.job.state, tasksDone: e.job.tasksDone, tasks: e.job.tasks, paidMicro: e.job.paidMicro });
							if (e.job.state !== 'running') void check();
						} else {
							report({ tasksDone: e.tasksDone, tasks: e.tasks });
							if (e.tasksDone === e.tasks) void check();
						}
					}
				},
				globalThis.EventSource ?? (NodeEventSource as unknown as typeof EventSource)
			);
			const poll = setInterval(() => void check(), POLL_MS);
			const onAbort = () => finish(signal?.reason ?? new Error('aborted'));
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	/**
	 * Waits for the job to finish, downloads every accepted task's bytes, checks the evidence
	 * and renders the result with the kernel's requester side. Throws when the job did not
	 * complete or its evidence does not check out.
	 */
	async result(opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal } = {}): Promise<JobResult> {
		const job = await this.follow(opts.onProgress, opts.signal);
		if (job.state !== 'completed') throw new MyceliaError(`job ${this.id} is ${job.state}, not completed`, `job_${job.state}`);
		const kernel = kernelOf(job.kernel);
		const spec = checkSpec(job.kernel, job.spec);
		const evidence = await asked(`could not read the evidence of job ${this.id}`, () => this.relay.jobEvidence(this.id));
		const accepted = evidence.tasks.filter((t) => t.state === 'accepted').map((t) => t.idx);
		const bytes = new Map<number, Uint8Array>();
		for (let i = 0; i < accepted.length; i += DOWNLOADS_AT_ONCE) {
			const batch = accepted.slice(i, i + DOWNLOADS_AT_ONCE);
			const got = await Promise.all(batch.map((idx) => asked(`could not download task ${idx}`, () => this.relay.taskResult(this.id, idx, opts.signal))));
			batch.forEach((idx, k) => bytes.set(idx, got[k] as Uint8Array));
		}
		const check = checkEvidence(evidence, { kernel: job.kernel, kernelVersion: job.kernelVersion, expectedTasks: kernel.split(spec).length, bytes });
		if (!check.ok) throw new MyceliaError(`job ${this.id}'s evidence does not check out: ${check.problems.join('; ')}`, 'evidence_failed');
		const rendered = await kernel.requester.render(kernel.requester.assemble(spec, bytes));
		return { job, rendered, evidence: check };
	}
}

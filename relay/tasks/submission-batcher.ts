import type { SubmitResponse } from '../../src/lib/protocol/leases.js';
import { DomainError } from '../domain-error.js';
import type { RelayContext } from '../context.js';
import { publishSettled } from '../events/publish-settled.js';
import { settleBatch, storableSubmissions, type Outcome, type Submission } from './settle-batch.js';

/** Results settled in one transaction at most; more wait for the next one. */
export const SETTLE_BATCH_MAX = 64;
/** Results waiting to settle; beyond this uploads are refused (each holds up to 256 KiB). */
const SETTLE_QUEUE_MAX = 512;

interface Pending {
	s: Submission;
	resolve(response: SubmitResponse): void;
	reject(err: unknown): void;
}

/**
 * Group commit for results (TigerBeetle-style batching): uploads that arrive while a
 * transaction is running settle together in the next one, so the fixed cost of a transaction
 * is shared. A batch that fails as a whole is retried one submission at a time, so one bad
 * upload can never fail another's.
 */
export class SubmissionBatcher {
	private queue: Pending[] = [];
	private running = false;

	constructor(private readonly ctx: RelayContext) {}

	submit(s: Submission): Promise<SubmitResponse> {
		if (this.queue.length >= SETTLE_QUEUE_MAX) {
			return Promise.reject(new DomainError('rate_limited', 'the relay is settling too many results; retry in a moment'));
		}
		return new Promise((resolve, reject) => {
			this.queue.push({ s, resolve, reject });
			if (!this.running) void this.drain();
		});
	}

	private async drain(): Promise<void> {
		this.running = true;
		try {
			while (this.queue.length > 0) {
				// One submission per lease per batch; a duplicate waits for the next batch.
				const batch: Pending[] = [];
				const rest: Pending[] = [];
				const leases = new Set<string>();
				for (const p of this.queue) {
					if (batch.length < SETTLE_BATCH_MAX && !leases.has(p.s.leaseId)) {
						batch.push(p);
						leases.add(p.s.leaseId);
					} else rest.push(p);
				}
				this.queue = rest;
				try {
					await this.settle(batch);
				} catch {
					for (const p of batch) await this.settle([p]).catch((err: unknown) => p.reject(err));
				}
			}
		} finally {
			this.running = false;
		}
	}

	private async settle(batch: Pending[]): Promise<void> {
		const now = Math.max(...batch.map((p) => p.s.now));
		const submissions = batch.map((p) => p.s);
		const { blobs } = this.ctx;
		// A store that writes outside the database writes only uploads that pass every check, so a
		// refused upload leaves no byte on disk; whatever the transaction then did not record goes.
		const storable = blobs.stagesOutsideDatabase ? await storableSubmissions(this.ctx.db, submissions, now) : [];
		const staged = await blobs.stage(storable.map((s) => ({ sha256: s.receipt.sha256, bytes: s.bytes })));
		let settled: Awaited<ReturnType<typeof settleBatch>>;
		try {
			settled = await this.ctx.db.transaction((tx) => settleBatch(tx, blobs, submissions, now, { disputeRoundMs: this.ctx.config.disputeRoundMs }));
		} catch (err) {
			await blobs.unstage(staged);
			throw err;
		}
		const { outcomes, events, finishedJobs, stored } = settled;
		const recorded = new Set(stored);
		await blobs.unstage(staged.filter((h) => !recorded.has(h)));
		// Published only after commit, so nobody sees progress that could still roll back.
		await publishSettled(this.ctx, events, finishedJobs);
		batch.forEach((p, i) => {
			const o = outcomes[i] as Outcome;
			if (o.ok) p.resolve(o.response);
			else p.reject(o.error);
		});
	}
}

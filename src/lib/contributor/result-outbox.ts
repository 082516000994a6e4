// Finished results between computing and revealing (commit-then-reveal). A result is committed
// with the worker's next claim and uploaded once a claim response lists its lease under
// `reveal` (every replica of the task has committed). Shared by all of a contributor's worker
// loops; bounded, and an entry whose lease ran out is dropped. With a sink (a durable store: the browser's work-store.ts) every
// change is written through to IndexedDB, so a reload or a dead network loses nothing computed.
import type { Commitment, CommitOutcome } from '../protocol/leases.js';
import { CLAIM_COMMITMENTS_MAX } from '../protocol/limits.js';
import { BisectTrace } from './bisect-trace.js';
import type { StoredResult } from './stored-result.js';

/** Results held at most; a worker loop waits for room before it computes more. */
export const OUTBOX_RESULTS_MAX = 64;

/** A result as the loops hold it: what is stored (stored-result.ts), with its trace rebuilt. */
export interface HeldResult extends Omit<StoredResult, 'trace'> {
	/** Bisect results: the committed trace (root, final proof, and answers for a dispute). */
	trace: BisectTrace | null;
	/** An upload of it is in flight. */
	uploading: boolean;
}

/** Where the outbox writes through to; errors are reported, never thrown into the loops. */
export interface OutboxSink {
	put(result: StoredResult): Promise<void>;
	delete(leaseId: string): Promise<void>;
	onError(err: unknown): void;
}

function toStored(h: HeldResult): StoredResult {
	const { lease, bytes, receiptHeader, salt, commitment, label, committed, expiresAt } = h;
	return { lease, bytes, receiptHeader, salt, commitment, label, committed, expiresAt, trace: h.trace ? { packed: h.trace.packed, stateBytes: h.trace.stateBytes } : null };
}

export class ResultOutbox {
	private readonly held = new Map<string, HeldResult>();

	constructor(
		private readonly max = OUTBOX_RESULTS_MAX,
		private readonly sink: OutboxSink | null = null
	) {}

	/** Results stored by an earlier page (or one that crashed), back into the outbox; over the bound, the oldest stay stored. */
	restore(stored: readonly StoredResult[]): number {
		let n = 0;
		for (const r of stored) {
			if (this.full || this.held.has(r.lease.leaseId)) continue;
			const trace = r.trace ? new BisectTrace(r.trace.packed, r.trace.stateBytes) : null;
			this.held.set(r.lease.leaseId, { ...r, trace, uploading: false });
			n++;
		}
		return n;
	}

	/** Results computed but not yet accepted or refused by the relay. */
	get pendingUpload(): number {
		return this.held.size;
	}

	private save(h: HeldResult): void {
		this.sink?.put(toStored(h)).catch((err: unknown) => this.sink?.onError(err));
	}

	private forget(leaseId: string): void {
		this.sink?.delete(leaseId).catch((err: unknown) => this.sink?.onError(err));
	}

	get size(): number {
		return this.held.size;
	}

	get full(): boolean {
		return this.held.size >= this.max;
	}

	/** Results committed and waiting for the other replicas. */
	get waiting(): number {
		let n = 0;
		for (const h of this.held.values()) if (h.committed) n++;
		return n;
	}

	/** Holds a finished result; the promise settles once it is stored (at once without a sink). */
	add(result: Omit<HeldResult, 'committed' | 'uploading' | 'expiresAt'>, store?: (r: StoredResult) => Promise<void>): Promise<void> {
		if (this.full) throw new RangeError(`the outbox holds at most ${this.max} results`);
		const h: HeldResult = { ...result, committed: false, uploading: false, expiresAt: result.lease.expiresAt };
		this.held.set(result.lease.leaseId, h);
		if (store) return store(toStored(h));
		return this.sink ? this.sink.put(toStored(h)) : Promise.resolve();
	}

	/**
	 * The commitments to send with the next claim, at most CLAIM_COMMITMENTS_MAX: first those the
	 * relay has not accepted yet (oldest first), then accepted ones whose lease ends within
	 * `refreshWithinMs` of `now`, soonest first. The relay keeps a repeated commitment alive while
	 * its task still waits for another replica, so a result waiting for a slow partner is not lost.
	 */
	commitments(now = 0, refreshWithinMs = 0): Commitment[] {
		const out: Commitment[] = [];
		for (const h of this.held.values()) {
			if (!h.committed && out.length < CLAIM_COMMITMENTS_MAX) out.push({ leaseId: h.lease.leaseId, commitment: h.commitment });
		}
		const refresh = [...this.held.values()]
			.filter((h) => h.committed && !h.uploading && h.expiresAt > now && h.expiresAt - now < refreshWithinMs)
			.sort((a, b) => a.expiresAt - b.expiresAt);
		for (const h of refresh) if (out.length < CLAIM_COMMITMENTS_MAX) out.push({ leaseId: h.lease.leaseId, commitment: h.commitment });
		return out;
	}

	/** Applies the relay's answers; returns the results it refused (they are dropped). */
	applyOutcomes(outcomes: readonly CommitOutcome[]): { result: HeldResult; code: string; message: string }[] {
		const refused: { result: HeldResult; code: string; message: string }[] = [];
		for (const o of outcomes) {
			const h = this.held.get(o.leaseId);
			if (!h) continue;
			if (o.ok) {
				h.committed = true;
				h.expiresAt = o.expiresAt;
				this.save(h);
			} else {
				this.held.delete(o.leaseId);
				this.forget(o.leaseId);
				refused.push({ result: h, code: o.error.code, message: o.error.message });
			}
		}
		return refused;
	}

	/** Takes the listed results for upload (each once, however many loops ask). */
	takeForReveal(leaseIds: readonly string[]): HeldResult[] {
		const out: HeldResult[] = [];
		for (const id of leaseIds) {
			const h = this.held.get(id);
			if (h?.committed && !h.uploading) {
				h.uploading = true;
				out.push(h);
			}
		}
		return out;
	}

	/** The upload finished (accepted, refused or failed for good): forget it. */
	done(leaseId: string): void {
		this.held.delete(leaseId);
		this.forget(leaseId);
	}

	/** The upload failed in a way worth retrying with the next reveal list. */
	retry(leaseId: string): void {
		const h = this.held.get(leaseId);
		if (h) h.uploading = false;
	}

	/** Drops results whose leases ran out before their reveal opened; returns them. */
	expire(now: number): HeldResult[] {
		const out: HeldResult[] = [];
		for (const [id, h] of this.held) {
			if (!h.uploading && h.expiresAt <= now) {
				this.held.delete(id);
				this.forget(id);
				out.push(h);
			}
		}
		return out;
	}
}

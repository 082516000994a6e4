// A fixed set of compute workers, one per slot. Each slot runs one task at a time; the
// contributor drives one loop per slot. Aborting a call rejects at once; a worker that is
// stuck in synchronous code (the CPU twin) and does not answer the abort within
// `ABORT_GRACE_MS` is terminated and replaced, so an abort is always prompt.
import { releaseProxy, wrap, type Remote } from 'comlink';
import { abortError } from './abort-signal-transfer';
import type { Backend } from '$lib/protocol';
import type { ComputeOutput, ComputeWorkerApi, InitOptions, InitResult } from './compute-worker';

/** Most workers one page runs, whatever the device reports. */
const POOL_SIZE_MAX = 8;
/** How long a worker may take to honour an abort before it is terminated. */
const ABORT_GRACE_MS = 150;

/** `min(navigator.hardwareConcurrency, 8)`, at least 1. */
export function defaultPoolSize(): number {
	const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
	return clampPoolSize(cores);
}

export function clampPoolSize(n: number): number {
	if (!Number.isFinite(n)) return 1;
	return Math.max(1, Math.min(POOL_SIZE_MAX, Math.floor(n)));
}

interface Slot {
	worker: Worker;
	api: Remote<ComputeWorkerApi>;
	ready: Promise<InitResult>;
	/** Rejecters of calls still waiting on this worker: a terminated worker never answers. */
	waiting: Set<(err: Error) => void>;
	/** Set while an aborted call is winding down: resolves once the worker answered or was replaced. */
	draining: Promise<void> | null;
}

export class ComputePool {
	readonly size: number;
	readonly options: InitOptions;
	private readonly abortGraceMs: number;
	private slots: (Slot | null)[];
	private closed = false;

	constructor(size: number = defaultPoolSize(), options: InitOptions = { backend: 'auto' }, tuning: { abortGraceMs?: number } = {}) {
		this.size = clampPoolSize(size);
		this.options = options;
		this.abortGraceMs = tuning.abortGraceMs ?? ABORT_GRACE_MS;
		this.slots = Array.from({ length: this.size }, () => null);
	}

	/** Starts every worker and returns the backend of the first (they all pick the same way). */
	async init(): Promise<InitResult> {
		const results = await Promise.all(this.slots.map((_, i) => this.slot(i).ready));
		const first = results[0];
		if (!first) throw new Error('empty pool');
		return first;
	}

	/**
	 * Runs one task on worker `slotIdx`, on `backend` (the worker's default when omitted). Rejects
	 * with an AbortError as soon as `signal` aborts.
	 * A call made while the slot is still winding down an aborted task waits for that worker to
	 * answer or be replaced, so it never lands on a worker about to be terminated.
	 */
	async compute(slotIdx: number, kernel: string, kernelVersion: number, params: unknown, signal?: AbortSignal, backend?: Backend): Promise<ComputeOutput> {
		if (this.closed) throw new Error('pool is terminated');
		if (signal?.aborted) throw abortError(signal);
		let slot = this.slot(slotIdx);
		while (slot.draining) {
			await slot.draining;
			if (this.closed) throw new Error('pool is terminated');
			if (signal?.aborted) throw abortError(signal);
			slot = this.slot(slotIdx);
		}
		return this.run(slotIdx, slot, { kernel, kernelVersion, params, backend }, signal);
	}

	private run(slotIdx: number, slot: Slot, call: { kernel: string; kernelVersion: number; params: unknown; backend?: Backend }, signal?: AbortSignal): Promise<ComputeOutput> {
		return new Promise<ComputeOutput>((resolve, reject) => {
			let settled = false;
			const onAbort = () => {
				if (settled) return;
				settled = true;
				reject(abortError(signal));
				// The worker got the abort through its port; if it is stuck in synchronous code it
				// cannot hear it, so replace it after a short grace period. Until one of the two
				// happens the slot is draining and later calls wait.
				slot.draining = new Promise<void>((done) => {
					const timer = setTimeout(() => {
						this.replace(slotIdx, slot);
						done();
					}, this.abortGraceMs);
					const answered = () => {
						clearTimeout(timer);
						slot.draining = null;
						done();
					};
					pending.then(answered, answered);
				});
			};
			const pending = new Promise<ComputeOutput>((res, rej) => {
				slot.waiting.add(rej);
				slot.ready
					.then(() => slot.api.compute(call.kernel, call.kernelVersion, call.params, signal, call.backend))
					.then(res, rej)
					.finally(() => slot.waiting.delete(rej));
			});
			signal?.addEventListener('abort', onAbort, { once: true });
			pending.then(
				(out) => {
					signal?.removeEventListener('abort', onAbort);
					if (settled) return;
					settled = true;
					resolve(out);
				},
				(err: unknown) => {
					signal?.removeEventListener('abort', onAbort);
					if (settled) return;
					settled = true;
					reject(err instanceof Error ? err : new Error(String(err)));
				}
			);
		});
	}

	/** Stops every worker. The pool cannot be used afterwards. */
	terminate(): void {
		this.closed = true;
		for (let i = 0; i < this.slots.length; i++) {
			const slot = this.slots[i];
			if (slot) this.dispose(slot);
			this.slots[i] = null;
		}
	}

	private slot(i: number): Slot {
		if (i < 0 || i >= this.size) throw new RangeError(`slot ${i} outside pool of ${this.size}`);
		let slot = this.slots[i];
		if (!slot) {
			slot = this.spawn();
			this.slots[i] = slot;
		}
		return slot;
	}

	private spawn(): Slot {
		const worker = new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module', name: 'mycelia-compute' });
		const api = wrap<ComputeWorkerApi>(worker);
		const ready = api.init(this.options);
		// An init failure surfaces on the first compute or init call; never as an unhandled rejection.
		ready.catch(() => undefined);
		return { worker, api, ready, waiting: new Set(), draining: null };
	}

	private replace(i: number, stale: Slot): void {
		if (this.slots[i] !== stale) return;
		this.dispose(stale);
		this.slots[i] = this.closed ? null : this.spawn();
	}

	private dispose(slot: Slot): void {
		slot.worker.terminate();
		slot.api[releaseProxy]();
		const gone = new Error('compute worker was terminated');
		for (const reject of slot.waiting) reject(gone);
		slot.waiting.clear();
	}
}

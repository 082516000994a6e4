// One worker thread per slot of the contributor loop, each computing one task at a time on the
// CPU twins: the loop gives slot i's tasks to thread i, so N slots use N cores. A thread that
// dies is replaced on its next task; its task fails and goes back through the loop's usual path.
import { Worker } from 'node:worker_threads';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { Computed, ContributorCompute } from '../../src/lib/contributor/ports.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';

const THREAD_URL = new URL('./compute-thread.mjs', import.meta.url);

interface Pending {
	resolve(c: Computed): void;
	reject(err: unknown): void;
}

class ComputeThread {
	private worker: Worker | null = null;
	private readonly pending = new Map<number, Pending>();

	private start(): Worker {
		const w = new Worker(THREAD_URL);
		w.on('message', (reply: ThreadReply) => {
			const p = this.pending.get(reply.id);
			if (!p) return;
			this.pending.delete(reply.id);
			if (reply.type === 'done') p.resolve({ bytes: reply.bytes, states: reply.states, stateBytes: reply.stateBytes, backend: 'cpu' });
			else p.reject(reply.aborted ? new DOMException(reply.message, 'AbortError') : new Error(reply.message));
		});
		const fail = (err: unknown) => {
			for (const p of this.pending.values()) p.reject(err);
			this.pending.clear();
			this.worker = null;
		};
		w.on('error', fail);
		w.on('exit', (code) => fail(new Error(`a compute thread exited (code ${code})`)));
		return w;
	}

	compute(id: number, lease: Lease, signal: AbortSignal): Promise<Computed> {
		if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
		const worker = (this.worker ??= this.start());
		return new Promise<Computed>((resolve, reject) => {
			const onAbort = () => worker.postMessage({ type: 'cancel', id } satisfies ThreadRequest);
			signal.addEventListener('abort', onAbort, { once: true });
			this.pending.set(id, {
				resolve: (c) => (signal.removeEventListener('abort', onAbort), resolve(c)),
				reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e))
			});
			worker.postMessage({ type: 'compute', id, kernel: lease.kernel, kernelVersion: lease.kernelVersion, params: lease.params } satisfies ThreadRequest);
		});
	}

	async close(): Promise<void> {
		const w = this.worker;
		this.worker = null;
		await w?.terminate();
	}
}

/** The compute port over `threads` threads; `close()` ends them. */
export class ThreadPool implements ContributorCompute {
	private readonly threads: ComputeThread[];
	private nextId = 1;

	constructor(threads: number) {
		this.threads = Array.from({ length: threads }, () => new ComputeThread());
	}

	get size(): number {
		return this.threads.length;
	}

	profile() {
		return { backend: 'cpu' as const, device: null };
	}

	compute(slot: number, lease: Lease, signal: AbortSignal): Promise<Computed> {
		const thread = this.threads[slot % this.threads.length] as ComputeThread;
		return thread.compute(this.nextId++, lease, signal);
	}

	async close(): Promise<void> {
		await Promise.all(this.threads.map((t) => t.close()));
	}
}

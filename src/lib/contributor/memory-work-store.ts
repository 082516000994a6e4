// A ContributorStore in memory, for Node hosts and tests: it outlives a loop instance (a new loop
// on the same store picks up what a "crashed" one left), not the process. Bounded like the
// browser's: the loops never hold more than the outbox and prefetch bounds, and neither does it.
import type { Lease } from '../protocol/leases.js';
import { PREFETCH_TASKS_MAX } from '../protocol/limits.js';
import type { ContributorStore } from './ports.js';
import { OUTBOX_RESULTS_MAX } from './result-outbox.js';
import type { StoredResult } from './stored-result.js';

export class MemoryWorkStore implements ContributorStore {
	private readonly leases = new Map<string, { lease: Lease; fetchedAt: number }>();
	private readonly stored = new Map<string, StoredResult>();

	async prefetched(now: number): Promise<Lease[]> {
		for (const [id, p] of this.leases) if (p.lease.expiresAt <= now) this.leases.delete(id);
		return [...this.leases.values()].sort((a, b) => a.fetchedAt - b.fetchedAt).map((p) => p.lease);
	}

	async addPrefetched(leases: readonly Lease[], now: number): Promise<void> {
		if (this.leases.size + leases.length > PREFETCH_TASKS_MAX) throw new RangeError(`the store holds at most ${PREFETCH_TASKS_MAX} prefetched leases`);
		leases.forEach((lease, i) => this.leases.set(lease.leaseId, { lease, fetchedAt: now + i }));
	}

	async removePrefetched(leaseId: string): Promise<void> {
		this.leases.delete(leaseId);
	}

	async results(): Promise<StoredResult[]> {
		return [...this.stored.values()].map(copy);
	}

	async putResult(result: StoredResult): Promise<void> {
		if (!this.stored.has(result.lease.leaseId) && this.stored.size >= OUTBOX_RESULTS_MAX) throw new RangeError(`the store holds at most ${OUTBOX_RESULTS_MAX} results`);
		this.stored.set(result.lease.leaseId, copy(result));
	}

	async finishPrefetched(result: StoredResult): Promise<void> {
		await this.putResult(result);
		this.leases.delete(result.lease.leaseId);
	}

	async deleteResult(leaseId: string): Promise<void> {
		this.stored.delete(leaseId);
	}
}

/** As IndexedDB does, the store keeps its own copy: later changes to a held result do not leak in. */
const copy = (r: StoredResult): StoredResult => ({ ...r, bytes: r.bytes.slice(), trace: r.trace && { packed: r.trace.packed.slice(), stateBytes: r.trace.stateBytes } });

// The contributor's durable state in IndexedDB, so that nothing already computed is lost to a
// reload, a closed tab or a dead network: prefetched leases (computed with no network), finished
// results between computing and revealing (the outbox), and this browser's device id.
// Its own database, so it never has to negotiate versions with the identity store.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Lease } from '$lib/protocol';
import type { StoredResult } from '$lib/contributor/stored-result';

const WORK_DB_NAME = 'mycelia-work';

interface WorkDb extends DBSchema {
	prefetched: { key: string; value: { lease: Lease; fetchedAt: number } };
	results: { key: string; value: StoredResult };
	meta: { key: string; value: string };
}

export class WorkStore {
	private constructor(private readonly db: IDBPDatabase<WorkDb>) {}

	static async open(name = WORK_DB_NAME): Promise<WorkStore> {
		const db = await openDB<WorkDb>(name, 1, {
			upgrade(d) {
				d.createObjectStore('prefetched');
				d.createObjectStore('results');
				d.createObjectStore('meta');
			},
			// Another tab with a newer version of the app wants to upgrade: let it.
			blocking() {
				db.close();
			}
		});
		return new WorkStore(db);
	}

	/** Prefetched leases not yet computed, oldest first; ones whose lease ran out are dropped. */
	async prefetched(now: number): Promise<Lease[]> {
		const all = await this.db.getAll('prefetched');
		const live = all.filter((p) => p.lease.expiresAt > now);
		for (const p of all) if (p.lease.expiresAt <= now) await this.db.delete('prefetched', p.lease.leaseId);
		return live.sort((a, b) => a.fetchedAt - b.fetchedAt).map((p) => p.lease);
	}

	async addPrefetched(leases: readonly Lease[], now: number): Promise<void> {
		const tx = this.db.transaction('prefetched', 'readwrite');
		await Promise.all([...leases.map((lease, i) => tx.store.put({ lease, fetchedAt: now + i }, lease.leaseId)), tx.done]);
	}

	removePrefetched(leaseId: string): Promise<void> {
		return this.db.delete('prefetched', leaseId);
	}

	results(): Promise<StoredResult[]> {
		return this.db.getAll('results');
	}

	async putResult(result: StoredResult): Promise<void> {
		await this.db.put('results', result, result.lease.leaseId);
	}

	/**
	 * Stores a result computed from a prefetched lease and forgets the lease, in one transaction:
	 * a crash leaves either the lease (computed again) or the result, never both or neither.
	 */
	async finishPrefetched(result: StoredResult): Promise<void> {
		const tx = this.db.transaction(['results', 'prefetched'], 'readwrite');
		await Promise.all([tx.objectStore('results').put(result, result.lease.leaseId), tx.objectStore('prefetched').delete(result.lease.leaseId), tx.done]);
	}

	deleteResult(leaseId: string): Promise<void> {
		return this.db.delete('results', leaseId);
	}

	/** This browser profile's device id: random, made once, not secret. */
	async deviceId(): Promise<string> {
		const tx = this.db.transaction('meta', 'readwrite');
		const existing = await tx.store.get('deviceId');
		if (existing) return existing;
		const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
		await tx.store.put(id, 'deviceId');
		await tx.done;
		return id;
	}

	close(): void {
		this.db.close();
	}
}

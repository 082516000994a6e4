import type { Lease } from '../../src/lib/protocol/leases.js';
import type { ApiClient, ApiResponse, CommitResult } from './api-client.js';

interface Held {
	client: ApiClient;
	lease: Lease;
	bytes: Uint8Array;
}

/**
 * Commit-then-reveal for tests and simulations that play several workers in turn: `add` commits
 * at once, `flush` reveals whatever is open and keeps the rest (425) for a later flush.
 */
export class RevealQueue {
	private held: Held[] = [];

	get size(): number {
		return this.held.length;
	}

	async add(client: ApiClient, lease: Lease, bytes: Uint8Array): Promise<CommitResult> {
		const res = await client.commit(lease, bytes);
		if (res.ok) this.held.push({ client, lease, bytes });
		return res;
	}

	/** Reveals every held result whose task is open for reveals; answers in the order revealed. */
	async flush<T = unknown>(): Promise<{ lease: Lease; client: ApiClient; res: ApiResponse<T> }[]> {
		const out: { lease: Lease; client: ApiClient; res: ApiResponse<T> }[] = [];
		const still: Held[] = [];
		for (const h of this.held) {
			const res = await h.client.reveal<T>(h.lease, h.bytes);
			if (res.status === 425) still.push(h);
			else out.push({ lease: h.lease, client: h.client, res });
		}
		this.held = still;
		return out;
	}
}

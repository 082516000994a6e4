// The headless worker's outbox on disk: each finished result is one JSON file in the worker's
// data folder, written to a temporary name and renamed (a crash leaves the old file or the new
// one, never half of one), removed once the relay has its verdict. A restart loads what is there
// and uploads it, so a computed result survives a crash, a SIGKILL or a reboot. The worker does
// not prefetch (it has a network), so prefetched leases are refused rather than half-kept.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { ContributorStore } from '../../src/lib/contributor/ports.js';
import { OUTBOX_RESULTS_MAX } from '../../src/lib/contributor/result-outbox.js';
import type { StoredResult } from '../../src/lib/contributor/stored-result.js';

const SUFFIX = '.result.json';
/** A stored result is its bytes (at most 256 KiB) in base64 plus a trace; anything much larger is not one. */
const FILE_BYTES_MAX = 8 * 1024 * 1024;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** What a file holds; the lease itself is checked again by the relay when the result is sent. */
const FileSchema = v.object({
	lease: v.looseObject({ leaseId: v.string(), taskId: v.string(), jobId: v.string(), kernel: v.string(), kernelVersion: v.number(), resultBytes: v.number(), expiresAt: v.number() }),
	bytes: v.string(),
	receiptHeader: v.string(),
	salt: v.string(),
	commitment: v.string(),
	label: v.string(),
	committed: v.boolean(),
	expiresAt: v.number(),
	trace: v.nullable(v.object({ packed: v.string(), stateBytes: v.number() }))
});

/** A file name for a lease id that cannot leave the folder (ids are the relay's, but never trusted as paths). */
const fileOf = (leaseId: string) => `${Buffer.from(leaseId).toString('base64url')}${SUFFIX}`;

export class DiskWorkStore implements ContributorStore {
	/** What is on disk now: what open() found, then every put and delete since. */
	private loaded: StoredResult[] = [];

	private constructor(private readonly dir: string) {}

	/** Opens (and creates) the folder; `onSkipped` hears of files that are not results (they are left alone). */
	static async open(dir: string, onSkipped?: (file: string, why: string) => void): Promise<{ store: DiskWorkStore; results: StoredResult[] }> {
		await mkdir(dir, { recursive: true, mode: 0o700 });
		const store = new DiskWorkStore(dir);
		const results: StoredResult[] = [];
		for (const name of await readdir(dir)) {
			if (!name.endsWith(SUFFIX)) continue;
			try {
				const text = await readFile(join(dir, name), 'utf8');
				if (text.length > FILE_BYTES_MAX) throw new Error('too large');
				const f = v.parse(FileSchema, JSON.parse(text));
				results.push({ ...f, lease: f.lease as unknown as Lease, bytes: unb64(f.bytes), trace: f.trace && { packed: unb64(f.trace.packed), stateBytes: f.trace.stateBytes } });
			} catch (err) {
				onSkipped?.(name, err instanceof Error ? err.message : String(err));
			}
		}
		store.loaded = results;
		return { store, results };
	}

	async prefetched(): Promise<Lease[]> {
		return [];
	}

	async addPrefetched(): Promise<void> {
		throw new RangeError('the headless worker does not prefetch');
	}

	async removePrefetched(): Promise<void> {}

	async results(): Promise<StoredResult[]> {
		return this.loaded;
	}

	async putResult(r: StoredResult): Promise<void> {
		const path = join(this.dir, fileOf(r.lease.leaseId));
		const exists = this.loaded.some((x) => x.lease.leaseId === r.lease.leaseId);
		if (!exists && this.loaded.length >= OUTBOX_RESULTS_MAX) throw new RangeError(`the outbox holds at most ${OUTBOX_RESULTS_MAX} results`);
		const body = { ...r, bytes: b64(r.bytes), trace: r.trace && { packed: b64(r.trace.packed), stateBytes: r.trace.stateBytes } };
		const tmp = `${path}.tmp`;
		await writeFile(tmp, JSON.stringify(body), { mode: 0o600 });
		await rename(tmp, path);
		this.loaded = [...this.loaded.filter((x) => x.lease.leaseId !== r.lease.leaseId), r];
	}

	async finishPrefetched(r: StoredResult): Promise<void> {
		await this.putResult(r);
	}

	async deleteResult(leaseId: string): Promise<void> {
		await rm(join(this.dir, fileOf(leaseId)), { force: true });
		this.loaded = this.loaded.filter((x) => x.lease.leaseId !== leaseId);
	}
}

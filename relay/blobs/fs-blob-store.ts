import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from '../store/db.js';
import { SHA256_HEX, type BlobStore } from './blob-store.js';

/** Hashes checked against the results table per query when the store opens. */
const SWEEP_CHUNK = 5_000;
const TMP_SUFFIX = '.tmp';

const ignoreMissing = (err: unknown) => {
	if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
};

/**
 * Removes what an interrupted write left behind: temporary files (a crash mid-write) and blobs
 * no result references (a crash after staging, before the settling transaction committed).
 * Runs before the relay serves, so no upload is in flight.
 */
async function sweep(dir: string, db: Sql): Promise<{ tmp: number; orphans: number }> {
	const folders = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => (ignoreMissing(err), []));
	const blobs: string[] = [];
	let tmp = 0;
	for (const folder of folders) {
		if (!folder.isDirectory() || !/^[0-9a-f]{2}$/.test(folder.name)) continue;
		for (const name of await readdir(join(dir, folder.name))) {
			if (name.endsWith(TMP_SUFFIX)) {
				await unlink(join(dir, folder.name, name)).catch(ignoreMissing);
				tmp++;
			} else if (SHA256_HEX.test(name) && name.startsWith(folder.name)) blobs.push(name);
		}
	}
	let orphans = 0;
	for (let i = 0; i < blobs.length; i += SWEEP_CHUNK) {
		const chunk = blobs.slice(i, i + SWEEP_CHUNK);
		const rows = await db.query<{ sha256: string }>('SELECT DISTINCT sha256 FROM results WHERE sha256 = ANY($1::text[])', [chunk]);
		const referenced = new Set(rows.map((r) => r.sha256));
		for (const sha256 of chunk.filter((h) => !referenced.has(h))) {
			await unlink(join(dir, sha256.slice(0, 2), sha256)).catch(ignoreMissing);
			orphans++;
		}
	}
	return { tmp, orphans };
}

/**
 * Blobs as files under `<dir>/<first two hex>/<sha256>`, written to a temporary name, fsynced and
 * renamed, so a reader never sees a partial blob. Kept beside PGlite's folder: large byte
 * strings through PGlite's WASM boundary cost milliseconds each, a file write does not. Written
 * in `stage`, before the settling transaction takes PGlite's lock, so claims never wait on disk.
 * Opening it sweeps what a crash left (see sweep).
 */
export async function openFsBlobStore(dir: string, db: Sql, log: (message: string) => void = () => {}): Promise<BlobStore> {
	const swept = await sweep(dir, db);
	if (swept.tmp + swept.orphans > 0) log(`blob store: removed ${swept.tmp} interrupted writes and ${swept.orphans} blobs no result references`);
	const pathOf = (sha256: string) => {
		if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
		return join(dir, sha256.slice(0, 2), sha256);
	};
	/** Writes one blob unless it exists; true when this call wrote it. */
	const put = async (sha256: string, bytes: Uint8Array): Promise<boolean> => {
		const path = pathOf(sha256);
		if (await stat(path).then(() => true, () => false)) return false;
		await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
		const tmp = `${path}.${randomBytes(6).toString('hex')}${TMP_SUFFIX}`;
		try {
			const fh = await open(tmp, 'w');
			try {
				await fh.writeFile(bytes);
				await fh.sync();
			} finally {
				await fh.close();
			}
			await rename(tmp, path);
		} catch (err) {
			// A full disk or an I/O error leaves no temporary file behind.
			await unlink(tmp).catch(ignoreMissing);
			throw err;
		}
		return true;
	};
	return {
		stagesOutsideDatabase: true,
		async stage(blobs) {
			const unique = new Map(blobs.map((b) => [b.sha256, b.bytes]));
			const written = await Promise.allSettled([...unique].map(async ([sha256, bytes]) => ((await put(sha256, bytes)) ? sha256 : null)));
			const created = written.flatMap((w) => (w.status === 'fulfilled' && w.value ? [w.value] : []));
			const failed = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
			if (failed) {
				// Nothing of a failed stage stays: the batch is refused or retried as a whole.
				await Promise.all(created.map((h) => unlink(pathOf(h)).catch(ignoreMissing)));
				throw failed.reason;
			}
			return created;
		},
		async unstage(sha256s) {
			await Promise.all([...new Set(sha256s)].map((h) => unlink(pathOf(h)).catch(ignoreMissing)));
		},
		async putMany() {},
		async get(sha256) {
			try {
				return new Uint8Array(await readFile(pathOf(sha256)));
			} catch (err) {
				if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
				throw err;
			}
		}
	};
}

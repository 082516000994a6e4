import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256_HEX, type BlobStore } from './blob-store.js';

/**
 * Blobs as files under `<dir>/<first two hex>/<sha256>`, written to a temporary name, fsynced and
 * renamed, so a reader never sees a partial blob. Kept beside PGlite's folder: large byte
 * strings through PGlite's WASM boundary cost milliseconds each, a file write does not. Written
 * in `stage`, before the settling transaction takes PGlite's lock, so claims never wait on disk.
 */
export function fsBlobStore(dir: string): BlobStore {
	const pathOf = (sha256: string) => {
		if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
		return join(dir, sha256.slice(0, 2), sha256);
	};
	const put = async (sha256: string, bytes: Uint8Array) => {
		const path = pathOf(sha256);
		if (await stat(path).then(() => true, () => false)) return;
		await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
		const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
		const fh = await open(tmp, 'w');
		try {
			await fh.writeFile(bytes);
			await fh.sync();
		} finally {
			await fh.close();
		}
		await rename(tmp, path);
	};
	return {
		async stage(blobs) {
			const unique = new Map(blobs.map((b) => [b.sha256, b.bytes]));
			await Promise.all([...unique].map(([sha256, bytes]) => put(sha256, bytes)));
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

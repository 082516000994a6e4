import type { Db } from '../store/db.js';
import { SHA256_HEX, type BlobStore } from './blob-store.js';

/** Blobs in the database (Postgres shared by several relays, or an in-memory PGlite in tests). */
export function dbBlobStore(db: Db): BlobStore {
	return {
		stagesOutsideDatabase: false,
		async stage() {
			return [];
		},
		async unstage() {},
		async putMany(tx, blobs) {
			const unique = new Map(blobs.map((b) => [b.sha256, b.bytes]));
			if (unique.size === 0) return;
			for (const sha256 of unique.keys()) if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
			// Agreeing replicas are the common case: skip sending bytes the database already has.
			const known = await tx.query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[])', [[...unique.keys()]]);
			for (const k of known) unique.delete(k.sha256);
			if (unique.size === 0) return;
			const values: unknown[] = [];
			const rows = [...unique].map(([sha256, bytes], i) => {
				values.push(sha256, bytes.length, bytes);
				return `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`;
			});
			await tx.query(`INSERT INTO blobs (sha256, size, bytes) VALUES ${rows.join(', ')} ON CONFLICT (sha256) DO NOTHING`, values);
		},
		async get(sha256) {
			const [row] = await db.query<{ bytes: Uint8Array }>('SELECT bytes FROM blobs WHERE sha256 = $1', [sha256]);
			return row ? new Uint8Array(row.bytes) : null;
		}
	};
}

// Replay protection: remembers each (key, nonce) a verified request used for as long as a
// request with that timestamp could still pass the skew check, then forgets it.
//
// The cache lives in memory, so a relay restart empties it. That cannot be used to replay:
// the relay also refuses any signature timestamped before its own start (see
// verify-request.ts), and every nonce seen before the restart came with such a timestamp.
import { SIGNATURE_SKEW_MS_MAX } from '../../src/lib/protocol/limits.js';

/** Bound on remembered nonces: 500,000 over a 4-minute lifetime is ~2,000 writes/s sustained. */
export const NONCE_ENTRIES_MAX = 500_000;

/** Thrown when the cache is full of live nonces; the request must be refused, not admitted. */
export class NonceCacheFullError extends Error {
	constructor(entriesMax: number) {
		super(`replay cache is full (${entriesMax} nonces within the last ${(2 * SIGNATURE_SKEW_MS_MAX) / 1000} s); try again shortly`);
		this.name = 'NonceCacheFullError';
	}
}

export interface NonceCacheOptions {
	entriesMax?: number;
	skewMs?: number;
}

export class NonceCache {
	readonly entriesMax: number;
	readonly skewMs: number;
	/** `${key}:${nonce}` → time after which the entry may be forgotten; insertion-ordered. */
	readonly #expiresAt = new Map<string, number>();

	constructor(options: NonceCacheOptions = {}) {
		this.entriesMax = options.entriesMax ?? NONCE_ENTRIES_MAX;
		this.skewMs = options.skewMs ?? SIGNATURE_SKEW_MS_MAX;
		if (!(this.entriesMax >= 1) || !(this.skewMs >= 0)) throw new Error('nonce cache bounds must be positive');
	}

	get size(): number {
		return this.#expiresAt.size;
	}

	has(key: string, nonce: string): boolean {
		return this.#expiresAt.has(`${key}:${nonce}`);
	}

	/**
	 * Remembers a nonce whose signature (timestamped `timestamp`) has verified. It must be kept
	 * until `timestamp + skew`, after which any replay fails the timestamp check instead.
	 * Throws NonceCacheFullError rather than forgetting a live nonce.
	 */
	remember(key: string, nonce: string, timestamp: number, now: number): void {
		this.prune(now);
		if (this.#expiresAt.size >= this.entriesMax) this.prune(now, true);
		if (this.#expiresAt.size >= this.entriesMax) throw new NonceCacheFullError(this.entriesMax);
		this.#expiresAt.set(`${key}:${nonce}`, timestamp + this.skewMs);
	}

	/**
	 * Drops expired entries. Expiry times are only roughly in insertion order (timestamps vary by
	 * ±skew), so the cheap pass stops at the first live entry; a full pass runs only when full.
	 */
	prune(now: number, full = false): void {
		for (const [id, expiresAt] of this.#expiresAt) {
			if (expiresAt < now) this.#expiresAt.delete(id);
			else if (!full) return;
		}
	}
}

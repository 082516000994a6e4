// Replay protection: remembers each (key, nonce) a verified request used for as long as a
// request with that timestamp could still pass the skew check, then forgets it.
//
// The cache lives in memory, so a relay restart empties it. That cannot be used to replay:
// the relay also refuses any signature timestamped before its own start (see
// verify-request.ts), and every nonce seen before the restart came with such a timestamp.
//
// Each key has its own share (finding 11 of issue 14: one key sending ~2,000 cheap signed
// requests a second once filled the whole cache, and then every signed write on the relay was
// refused). A key over its share is refused on its own; the relay-wide bound stays as a last
// resort against many keys at once, which the per-address request limits already slow.
import { SIGNATURE_SKEW_MS_MAX } from '../../src/lib/protocol/limits.js';

/** Bound on remembered nonces: 500,000 over a 4-minute lifetime is ~2,000 writes/s sustained. */
const NONCE_ENTRIES_MAX = 500_000;
/**
 * Nonces one key may hold: more than a key within its request limit can use (its nonces live at
 * most 4 minutes; 1,800 requests a minute with a burst is under 8,000), far less than the whole.
 */
const NONCES_PER_KEY_MAX = 8_192;
/**
 * A pass over every entry when the whole cache is full is at most this frequent: a cache kept
 * full by many keys would otherwise have each request pay for a pass of 500,000 entries.
 */
const FULL_SWEEP_MS_MIN = 1_000;

/** Thrown when the cache is full of live nonces; the request must be refused, not admitted. */
export class NonceCacheFullError extends Error {
	constructor(
		entriesMax: number,
		readonly retryAfterMs: number
	) {
		super(`replay cache is full (${entriesMax} nonces within the last ${(2 * SIGNATURE_SKEW_MS_MAX) / 1000} s); try again shortly`);
		this.name = 'NonceCacheFullError';
	}
}

/** Thrown when one key holds its whole share of live nonces; only that key is refused. */
export class NonceKeyFullError extends Error {
	constructor(
		key: string,
		perKeyMax: number,
		readonly retryAfterMs: number
	) {
		super(`key ${key.slice(0, 12)}… signed ${perKeyMax} requests within the last few minutes, the most one key may; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`);
		this.name = 'NonceKeyFullError';
	}
}

export interface NonceCacheOptions {
	entriesMax?: number;
	perKeyMax?: number;
	skewMs?: number;
}

export class NonceCache {
	readonly entriesMax: number;
	readonly perKeyMax: number;
	readonly skewMs: number;
	/**
	 * key → its nonces (nonce → time after which the entry may be forgotten, insertion-ordered)
	 * and a lower bound on those times, so a full pass over one key runs only when it can free one.
	 */
	readonly #byKey = new Map<string, { nonces: Map<string, number>; soonest: number }>();
	#size = 0;
	/** Walks the keys a step per call, so a key that went quiet gives its entries back. */
	#cursor: Iterator<string> | null = null;
	/** No entry at all expires before this (a lower bound), so a full sweep until then frees nothing. */
	#soonest = Infinity;
	#lastFullSweepAt = -Infinity;

	constructor(options: NonceCacheOptions = {}) {
		this.entriesMax = options.entriesMax ?? NONCE_ENTRIES_MAX;
		this.perKeyMax = options.perKeyMax ?? NONCES_PER_KEY_MAX;
		this.skewMs = options.skewMs ?? SIGNATURE_SKEW_MS_MAX;
		if (!(this.entriesMax >= 1) || !(this.perKeyMax >= 1) || !(this.skewMs >= 0)) throw new Error('nonce cache bounds must be positive');
	}

	get size(): number {
		return this.#size;
	}

	/** Live and not yet swept entries of one key. */
	sizeOf(key: string): number {
		return this.#byKey.get(key)?.nonces.size ?? 0;
	}

	has(key: string, nonce: string): boolean {
		return this.#byKey.get(key)?.nonces.has(nonce) ?? false;
	}

	/**
	 * Remembers a nonce whose signature (timestamped `timestamp`) has verified. It must be kept
	 * until `timestamp + skew`, after which any replay fails the timestamp check instead.
	 * Throws NonceKeyFullError (this key holds its share) or NonceCacheFullError rather than
	 * forgetting a live nonce.
	 */
	remember(key: string, nonce: string, timestamp: number, now: number): void {
		const mine = this.#byKey.get(key);
		if (mine) this.#pruneKey(key, mine, now, false);
		this.#sweepStep(now);
		if (mine && mine.nonces.size >= this.perKeyMax) {
			if (now > mine.soonest) this.#pruneKey(key, mine, now, true);
			if (mine.nonces.size >= this.perKeyMax) throw new NonceKeyFullError(key, this.perKeyMax, mine.soonest - now + 1);
		}
		if (this.#size >= this.entriesMax) {
			this.prune(now, true);
			if (this.#size >= this.entriesMax) {
				throw new NonceCacheFullError(this.entriesMax, Math.max(this.#soonest, this.#lastFullSweepAt + FULL_SWEEP_MS_MIN) - now + 1);
			}
		}
		const expiresAt = timestamp + this.skewMs;
		let entry = this.#byKey.get(key);
		if (!entry) this.#byKey.set(key, (entry = { nonces: new Map(), soonest: expiresAt }));
		if (!entry.nonces.has(nonce)) this.#size++;
		entry.nonces.set(nonce, expiresAt);
		entry.soonest = Math.min(entry.soonest, expiresAt);
		this.#soonest = Math.min(this.#soonest, expiresAt);
	}

	/**
	 * Drops expired entries. Expiry times are only roughly in insertion order (timestamps vary by
	 * ±skew), so the cheap pass stops at each key's first live entry; a full pass (only when the
	 * cache is full) looks at every entry, at most once per expiry.
	 */
	prune(now: number, full = false): void {
		if (full && (now <= this.#soonest || now - this.#lastFullSweepAt < FULL_SWEEP_MS_MIN)) return;
		let soonest = Infinity;
		for (const [key, entry] of this.#byKey) {
			this.#pruneKey(key, entry, now, full);
			soonest = Math.min(soonest, entry.soonest);
		}
		if (full) {
			this.#soonest = soonest;
			this.#lastFullSweepAt = now;
		}
	}

	/** Prunes one key; a full pass also brings its `soonest` up to date. */
	#pruneKey(key: string, entry: { nonces: Map<string, number>; soonest: number }, now: number, full: boolean): void {
		let soonest = Infinity;
		for (const [nonce, expiresAt] of entry.nonces) {
			if (expiresAt < now) {
				entry.nonces.delete(nonce);
				this.#size--;
			} else {
				soonest = Math.min(soonest, expiresAt);
				if (!full) break;
			}
		}
		if (full) entry.soonest = soonest;
		if (entry.nonces.size === 0) this.#byKey.delete(key);
	}

	#sweepStep(now: number): void {
		this.#cursor ??= this.#byKey.keys();
		const next = this.#cursor.next();
		if (next.done) {
			this.#cursor = null;
			return;
		}
		const entry = this.#byKey.get(next.value);
		if (entry) this.#pruneKey(next.value, entry, now, false);
	}
}

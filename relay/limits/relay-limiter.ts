import { KeyedLimiter } from './keyed-limiter.js';
import { burstOf, LIMITER_ENTRIES_MAX, perMinuteOf, type RequestLimits, type RouteClass } from './request-limits.js';
import { SerialQueue } from './serial-queue.js';

/** Starter grants waiting their turn at most (the per-address request limit keeps it short). */
const GRANTS_WAITING_MAX = 256;

/** Why a request was turned away, in words, and when to come back. */
export interface Refusal {
	message: string;
	retryAfterMs: number;
}

const CLASS_WORDS: Record<RouteClass, string> = {
	read: 'reads',
	write: 'signed requests',
	upload: 'uploads',
	grant: 'starter-credit requests'
};

const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))} s`;

/**
 * The relay's request limits in force: a bucket per address for each route class, one per
 * signing key, a count of open event streams per address, and the queue starter grants take
 * turns in. Built once per relay.
 */
export class RelayLimiter {
	readonly #byAddress = new Map<RouteClass, KeyedLimiter>();
	readonly #byKey: KeyedLimiter;
	readonly #streams = new Map<string, number>();
	/** Starter grants, one at a time. */
	readonly grants = new SerialQueue(GRANTS_WAITING_MAX, 'starter-credit requests');

	constructor(readonly limits: RequestLimits) {
		for (const cls of ['read', 'write', 'upload', 'grant'] as const) {
			const perMinute = perMinuteOf(limits, cls);
			this.#byAddress.set(cls, new KeyedLimiter({ burst: burstOf(perMinute), perMinute }, LIMITER_ENTRIES_MAX));
		}
		this.#byKey = new KeyedLimiter({ burst: burstOf(limits.keyRequestsPerMinute), perMinute: limits.keyRequestsPerMinute }, LIMITER_ENTRIES_MAX);
	}

	/** Takes one request of `cls` from the address's bucket; a refusal if it is empty. */
	admitAddress(cls: RouteClass, address: string, now: number): Refusal | null {
		const limiter = this.#byAddress.get(cls) as KeyedLimiter;
		const a = limiter.take(address, now);
		if (a.ok) return null;
		return {
			message: `too many ${CLASS_WORDS[cls]} from your network (${address}): this relay takes ${limiter.limit.perMinute} a minute from one address; try again in ${seconds(a.retryAfterMs)}`,
			retryAfterMs: a.retryAfterMs
		};
	}

	/**
	 * Whether the key a request claims may send more, read before the request's body or
	 * signature: nothing is taken, so a forger naming someone else's key cannot drain its bucket.
	 * The key pays once its signature verifies (chargeKey).
	 */
	peekKey(key: string, now: number): Refusal | null {
		const a = this.#byKey.peek(key, now);
		if (a.ok) return null;
		return {
			message: `too many signed requests from key ${key.slice(0, 12)}…: this relay takes ${this.#byKey.limit.perMinute} a minute from one key; try again in ${seconds(a.retryAfterMs)}`,
			retryAfterMs: a.retryAfterMs
		};
	}

	chargeKey(key: string, now: number): void {
		this.#byKey.charge(key, now);
	}

	/** Opens one event stream for the address; the returned function closes it (once). */
	openStream(address: string): { release(): void } | Refusal {
		const open = this.#streams.get(address) ?? 0;
		if (open >= this.limits.streamsPerAddress) {
			return {
				message: `your network (${address}) already has ${open} live event streams open on this relay, the most it allows; close a job page or try again later`,
				retryAfterMs: 10_000
			};
		}
		this.#streams.set(address, open + 1);
		let released = false;
		return {
			release: () => {
				if (released) return;
				released = true;
				const n = (this.#streams.get(address) ?? 1) - 1;
				if (n <= 0) this.#streams.delete(address);
				else this.#streams.set(address, n);
			}
		};
	}

	/** Streams open for an address (tests, health). */
	streamsOpen(address: string): number {
		return this.#streams.get(address) ?? 0;
	}
}

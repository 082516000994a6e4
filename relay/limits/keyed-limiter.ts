// One token bucket per address or key, in a map that is itself bounded. Entries are kept in
// least-recently-used order (a touch moves an entry to the back), so the front holds the most
// idle buckets: each call forgets a front bucket that has refilled (it is the same as none), and
// when the map is full the front one goes. Forgetting a bucket can only be generous (it starts
// full again), never unfair to anyone else, and the map never grows past `entriesMax`.
import { charge, checkLimit, fullBucket, isFull, peek, take, type Admission, type BucketLimit, type BucketState } from './token-bucket.js';

/** Idle buckets examined per call: enough to keep up with arrivals, cheap every time. */
const SWEEP_PER_CALL = 2;

export class KeyedLimiter {
	readonly #buckets = new Map<string, BucketState>();

	constructor(
		readonly limit: BucketLimit,
		readonly entriesMax: number
	) {
		checkLimit(limit);
		if (!Number.isSafeInteger(entriesMax) || entriesMax < 1) throw new RangeError(`entriesMax must be a positive integer, got ${entriesMax}`);
	}

	get size(): number {
		return this.#buckets.size;
	}

	/** Admits and takes `cost` tokens from `id`'s bucket, or says how long to wait. */
	take(id: string, now: number, cost = 1): Admission {
		const a = take(this.#get(id, now), this.limit, now, cost);
		this.#put(id, a.state, now);
		return a;
	}

	/** Whether `take` would admit now; changes nothing but the bucket's place in line. */
	peek(id: string, now: number, cost = 1): Admission {
		const s = this.#buckets.get(id);
		return peek(s ?? fullBucket(this.limit, now), this.limit, now, cost);
	}

	/** Charges work already done, into debt if need be (see token-bucket.ts). */
	charge(id: string, now: number, cost = 1): void {
		this.#put(id, charge(this.#get(id, now), this.limit, now, cost), now);
	}

	#get(id: string, now: number): BucketState {
		return this.#buckets.get(id) ?? fullBucket(this.limit, now);
	}

	#put(id: string, state: BucketState, now: number): void {
		this.#buckets.delete(id);
		this.#sweep(now);
		if (this.#buckets.size >= this.entriesMax) {
			const oldest = this.#buckets.keys().next();
			if (!oldest.done) this.#buckets.delete(oldest.value);
		}
		this.#buckets.set(id, state);
	}

	/** Forgets up to SWEEP_PER_CALL of the most idle buckets that have refilled. */
	#sweep(now: number): void {
		for (let i = 0; i < SWEEP_PER_CALL; i++) {
			const first = this.#buckets.entries().next();
			if (first.done || !isFull(first.value[1], this.limit, now)) return;
			this.#buckets.delete(first.value[0]);
		}
	}
}

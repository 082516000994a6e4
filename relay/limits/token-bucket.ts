// A token bucket as plain data and pure functions: a bucket holds at most `burst` tokens and
// gains `perMinute` of them continuously. Taking one admits a request; an empty bucket says how
// long until it holds enough again. The keyed limiter keeps one bucket per address or key.
//
// Tokens are counted in 1/60,000ths, so with whole-millisecond clocks and whole per-minute rates
// every step is integer arithmetic: no rounding ever admits a request the limit forbids, and
// waiting exactly `retryAfterMs` always admits the same request.

export interface BucketLimit {
	/** Most tokens a bucket holds: the burst a caller may send at once after being idle. */
	burst: number;
	/** Tokens gained per minute: the sustained rate. */
	perMinute: number;
}

export interface BucketState {
	/** Tokens × 60,000 (one token gains `perMinute` of these per millisecond). */
	scaled: number;
	/** When `scaled` was last brought up to date (ms). */
	at: number;
}

export interface Admission {
	ok: boolean;
	/** 0 when admitted; otherwise how long until the same request would be. */
	retryAfterMs: number;
	state: BucketState;
}

const SCALE = 60_000;

export function checkLimit(limit: BucketLimit): void {
	const whole = (n: number, min: number) => Number.isSafeInteger(n) && n >= min && n <= 1_000_000_000;
	if (!whole(limit.burst, 1) || !whole(limit.perMinute, 1)) {
		throw new RangeError(`a bucket needs a whole burst and per-minute rate in [1, 1e9], got ${limit.burst} and ${limit.perMinute}/min`);
	}
}

/** A bucket never used: full. */
export const fullBucket = (limit: BucketLimit, now: number): BucketState => ({ scaled: limit.burst * SCALE, at: now });

/** Whole tokens a bucket holds (for messages and tests). */
export const tokensOf = (state: BucketState): number => state.scaled / SCALE;

/** The bucket brought up to `now`; a clock that steps back mints nothing. */
export function refill(state: BucketState, limit: BucketLimit, now: number): BucketState {
	if (!(now > state.at)) return state;
	const room = limit.burst * SCALE - state.scaled;
	const gained = (now - state.at) * limit.perMinute;
	return { scaled: gained >= room ? limit.burst * SCALE : state.scaled + gained, at: now };
}

/** True when the bucket holds, at `now`, as much as one never used: it can be forgotten. */
export function isFull(state: BucketState, limit: BucketLimit, now: number): boolean {
	return refill(state, limit, now).scaled >= limit.burst * SCALE;
}

function waitMs(s: BucketState, limit: BucketLimit, cost: number): number {
	const short = cost * SCALE - s.scaled;
	return short <= 0 ? 0 : Math.ceil(short / limit.perMinute);
}

/** Admits and takes `cost` tokens if the bucket holds them; otherwise changes nothing. */
export function take(state: BucketState, limit: BucketLimit, now: number, cost = 1): Admission {
	const s = refill(state, limit, now);
	if (s.scaled >= cost * SCALE) return { ok: true, retryAfterMs: 0, state: { scaled: s.scaled - cost * SCALE, at: s.at } };
	return { ok: false, retryAfterMs: waitMs(s, limit, cost), state: s };
}

/** Whether `take` would admit now, without taking anything. */
export function peek(state: BucketState, limit: BucketLimit, now: number, cost = 1): Admission {
	const s = refill(state, limit, now);
	return { ok: s.scaled >= cost * SCALE, retryAfterMs: waitMs(s, limit, cost), state: s };
}

/**
 * Takes `cost` tokens even from an empty bucket, down to a debt of one burst: for work already
 * done (a request whose signature verified after a peek let it in), so requests that raced past
 * the peek together still pay, by waiting longer.
 */
export function charge(state: BucketState, limit: BucketLimit, now: number, cost = 1): BucketState {
	const s = refill(state, limit, now);
	return { scaled: Math.max(-limit.burst * SCALE, s.scaled - cost * SCALE), at: s.at };
}

// What the relay lets one address or one key send, by route class, before it does any work for
// them. The numbers (README's settings table) are chosen so a classroom of 30 devices behind one
// NAT address never meets them, from how often the app really calls the relay:
// - reads: per device an account poll every 5 s, a job page's activity poll every 3 s, /info every
//   minute, a few GETs per page load: about 0.6 a second, ~20/s for 30 devices, and page loads
//   of the whole class at once in bursts of a few hundred;
// - signed writes: a contributor claims at most every 0.5 s while results wait, heartbeats every
//   few seconds, and a training peer without a direct WebRTC path posts to a relay mailbox every
//   2 s: about 3 a second per device, ~90/s for the class;
// - uploads: one per computed result, at most 16 at once when an offline batch comes back;
// - grants: once per key, all 30 in the first minute of a lesson.
// Per key, signed requests stay under the per-key rate; a training host relaying to 30 peers
// through mailboxes (15 posts a second) is the busiest key the app has.
import type { LimitClass } from '../../src/lib/protocol/endpoints-shape.js';

/** How one class of routes is limited (each endpoint names its class: src/lib/protocol/endpoints-shape.ts). */
export type RouteClass = LimitClass;

export interface RequestLimits {
	/** Unsigned reads (GET) per address per minute. */
	readsPerMinute: number;
	/** Signed JSON writes per address per minute. */
	writesPerMinute: number;
	/** Byte uploads (results) per address per minute. */
	uploadsPerMinute: number;
	/** Requests to the starter-grant route per address per minute (the grants themselves are capped below). */
	grantRequestsPerMinute: number;
	/** Signed requests of any class per signing key per minute. */
	keyRequestsPerMinute: number;
	/** Live event streams open at once per address. */
	streamsPerAddress: number;
	/** Replay-cache entries one key may hold (its signed requests of the last few minutes). */
	noncesPerKey: number;
	/** Starter grants per address, and in all, per grant period. */
	grantsPerAddress: number;
	grantsPerPeriod: number;
	grantPeriodMs: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
	readsPerMinute: 6_000,
	writesPerMinute: 6_000,
	uploadsPerMinute: 3_000,
	grantRequestsPerMinute: 240,
	keyRequestsPerMinute: 1_800,
	streamsPerAddress: 128,
	noncesPerKey: 8_192,
	grantsPerAddress: 60,
	grantsPerPeriod: 1_000,
	grantPeriodMs: 86_400_000
};

/** A bucket holds a quarter of a minute's allowance: 15 s of traffic may come at once. */
export const burstOf = (perMinute: number): number => Math.max(1, Math.ceil(perMinute / 4));

/** Buckets each limiter keeps at most (idle ones are forgotten first; see keyed-limiter.ts). */
export const LIMITER_ENTRIES_MAX = 50_000;

export const perMinuteOf = (limits: RequestLimits, cls: RouteClass): number =>
	cls === 'read' ? limits.readsPerMinute : cls === 'write' ? limits.writesPerMinute : cls === 'upload' ? limits.uploadsPerMinute : limits.grantRequestsPerMinute;

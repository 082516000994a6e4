import { PRESENCE_KEYS_MAX, PRESENCE_ONLINE_MS, WAITING_KEYS_WEIGHED_MAX } from '../../src/lib/protocol/limits.js';

/** A key that asked for work recently: when, for which kernels, from which network ('' unknown). */
interface Seen {
	at: number;
	kernels: readonly string[];
	network: string;
}

/** Keys waiting for work, as a claim or heartbeat weighs them (the most recent first). */
export interface Waiting {
	keys: string[];
	networks: string[];
}

/**
 * Which keys are contributing right now, as this relay sees them: every claim and heartbeat
 * marks its key, and a claim that found less work than it had room for marks its key waiting.
 * In memory and bounded (the least recently seen key goes first). It feeds status lines ("waiting
 * for a second device") and fair shares of work while keys wait, never a decision about money:
 * losing it on a restart costs a few seconds of "waiting for contributors" and of shares not
 * weighed. Each relay weighs the keys it sees.
 */
export class Presence {
	private readonly seen = new Map<string, Seen>();
	/** Waiting keys by when they last found too little work, oldest first. */
	private readonly waitingSince = new Map<string, { at: number; network: string }>();

	constructor(private readonly max = PRESENCE_KEYS_MAX) {}

	/** A claim: the key asks for work of these kernels. */
	claimed(key: string, kernels: readonly string[], network: string, now: number): void {
		this.touch(key, { at: now, kernels, network });
	}

	/** A heartbeat: the key is computing; it keeps the kernels it last claimed. */
	beat(key: string, network: string, now: number): void {
		const was = this.seen.get(key);
		if (was) this.touch(key, { ...was, at: now, network });
	}

	/** The key's claim found fewer tasks than it had room for. */
	waited(key: string, network: string, now: number): void {
		this.waitingSince.delete(key);
		this.waitingSince.set(key, { at: now, network });
		if (this.waitingSince.size > this.max) {
			const oldest = this.waitingSince.keys().next().value;
			if (oldest !== undefined) this.waitingSince.delete(oldest);
		}
	}

	/** The key's claim got all it had room for (or it holds its bound): it is not waiting. */
	fed(key: string): void {
		this.waitingSince.delete(key);
	}

	/** Keys other than `except` that waited within `windowMs` (0: none), the most recent WAITING_KEYS_WEIGHED_MAX. */
	waiting(except: string, now: number, windowMs: number): Waiting {
		for (const [key, w] of this.waitingSince) {
			if (now - w.at <= windowMs) break;
			this.waitingSince.delete(key);
		}
		const out: Waiting = { keys: [], networks: [] };
		const recent = [...this.waitingSince].reverse();
		for (const [key, w] of recent) {
			if (out.keys.length >= WAITING_KEYS_WEIGHED_MAX) break;
			if (key === except) continue;
			out.keys.push(key);
			out.networks.push(w.network);
		}
		return out;
	}

	/** Keys that claimed or heartbeat within PRESENCE_ONLINE_MS. */
	onlineCount(now: number): number {
		// Oldest first: the stale ones lead the map.
		let stale = 0;
		for (const s of this.seen.values()) {
			if (now - s.at <= PRESENCE_ONLINE_MS) break;
			stale++;
		}
		return this.seen.size - stale;
	}

	private touch(key: string, s: Seen): void {
		this.seen.delete(key);
		this.seen.set(key, s);
		if (this.seen.size > this.max) {
			const oldest = this.seen.keys().next().value;
			if (oldest !== undefined) this.seen.delete(oldest);
		}
	}

	/** Keys seen within `windowMs` asking for `kernel`, with their networks. */
	online(kernel: string, now: number, windowMs: number): { key: string; network: string }[] {
		const out: { key: string; network: string }[] = [];
		for (const [key, s] of this.seen) if (now - s.at <= windowMs && s.kernels.includes(kernel)) out.push({ key, network: s.network });
		return out;
	}
}

/**
 * How many of these keys could hold the replicas of one task between them: two keys on one known
 * network count once (the one-network rule keeps them off the same task); unknown networks ('')
 * count each key.
 */
export function independentKeys(keys: readonly { key: string; network: string }[]): number {
	const networks = new Set<string>();
	let unknown = 0;
	for (const k of keys) {
		if (k.network === '') unknown++;
		else networks.add(k.network);
	}
	return networks.size + unknown;
}

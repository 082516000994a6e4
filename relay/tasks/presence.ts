import { PRESENCE_KEYS_MAX } from '../../src/lib/protocol/limits.js';

/** A key that asked for work recently: when, for which kernels, from which network ('' unknown). */
interface Seen {
	at: number;
	kernels: readonly string[];
	network: string;
}

/**
 * Which keys are contributing right now, as this relay sees them: every claim and heartbeat
 * marks its key. In memory and bounded (the least recently seen key goes first); it only feeds
 * status lines ("waiting for a second device"), never a decision about work or money, so losing
 * it on a restart costs nothing but a few seconds of "waiting for contributors".
 */
export class Presence {
	private readonly seen = new Map<string, Seen>();

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

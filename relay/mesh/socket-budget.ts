// How many signalling sockets the relay holds: in all, per client address and per key, plus how
// often one address may try to open one (each try can cost a signature check). Counted before
// the expensive steps, released when the socket goes; every map here is bounded.
import { isIP } from 'node:net';
import { rateLimited, type DomainError } from '../domain-error.js';

export interface SocketLimits {
	total: number;
	perAddress: number;
	perKey: number;
}

/** Addresses whose recent upgrade attempts are remembered; the least recently seen go first. */
const ATTEMPT_ADDRESSES_MAX = 4_096;
/** Seconds a refused client is told to wait. */
const RETRY_AFTER_S = 5;

/**
 * The unit one limit applies to: an IPv4 address, or an IPv6 /64 (one household or device gets a
 * whole /64, so counting single IPv6 addresses would bound nothing).
 */
export function addressGroup(address: string | undefined): string {
	if (!address) return '?';
	const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
	if (isIP(v4) === 4) return v4;
	if (isIP(address) !== 6) return '?';
	const [head = '', tail = ''] = address.toLowerCase().split('::');
	const left = head ? head.split(':') : [];
	const right = tail ? tail.split(':') : [];
	const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
	return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class SocketBudget {
	private total = 0;
	private readonly byAddress = new Map<string, number>();
	private readonly byKey = new Map<string, number>();
	/** address → attempt bucket; insertion order is recency order. */
	private readonly attempts = new Map<string, { tokens: number; at: number }>();

	constructor(
		readonly limits: SocketLimits,
		private readonly clock: () => number = Date.now
	) {}

	get size(): number {
		return this.total;
	}

	/**
	 * Counts one upgrade attempt. An address may try twice as often as it may hold sockets at once,
	 * refilled at its socket bound per minute: a classroom's devices all reconnecting after a relay
	 * restart fit in one burst, a loop of refused attempts does not go on.
	 */
	attempt(address: string): void {
		const burst = 2 * this.limits.perAddress;
		const now = this.clock();
		const b = this.attempts.get(address) ?? { tokens: burst, at: now };
		this.attempts.delete(address);
		b.tokens = Math.min(burst, b.tokens + ((now - b.at) * this.limits.perAddress) / 60_000);
		b.at = now;
		this.attempts.set(address, b);
		if (this.attempts.size > ATTEMPT_ADDRESSES_MAX) this.attempts.delete(this.attempts.keys().next().value as string);
		if (b.tokens < 1) throw tooMany(`this address tried to open more than ${burst} signalling connections in a short while; wait a little`);
		b.tokens -= 1;
	}

	/** Reserves a socket for `address`; call the returned function (once is enough) when it closes. */
	reserveAddress(address: string): () => void {
		if (this.total >= this.limits.total) throw tooMany(`the relay holds ${this.limits.total} signalling connections, its most; try again shortly`);
		const n = this.byAddress.get(address) ?? 0;
		if (n >= this.limits.perAddress) {
			throw tooMany(`this address has ${n} signalling connections open, the most one address may hold (SIGNAL_SOCKETS_PER_ADDRESS_MAX); close some first`);
		}
		this.total += 1;
		this.byAddress.set(address, n + 1);
		return once(() => {
			this.total -= 1;
			decrement(this.byAddress, address);
		});
	}

	/** Reserves a socket for `key`, once its token has verified. */
	reserveKey(key: string): () => void {
		const n = this.byKey.get(key) ?? 0;
		if (n >= this.limits.perKey) throw tooMany(`key ${key.slice(0, 12)}… has ${n} signalling connections open, the most one key may hold; close a tab or a session first`);
		this.byKey.set(key, n + 1);
		return once(() => decrement(this.byKey, key));
	}
}

function tooMany(message: string): DomainError {
	return rateLimited(message, RETRY_AFTER_S * 1000);
}

function decrement(map: Map<string, number>, k: string): void {
	const n = (map.get(k) ?? 1) - 1;
	if (n > 0) map.set(k, n);
	else map.delete(k);
}

function once(f: () => void): () => void {
	let done = false;
	return () => {
		if (!done) {
			done = true;
			f();
		}
	};
}

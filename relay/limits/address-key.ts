import { isIP } from 'node:net';
import type { Request } from 'express';
import { clientAddress } from '../tasks/network.js';

/**
 * Whom an address-wide limit counts: an IPv4 address as it is, an IPv6 address by its /64 (one
 * home or one host is handed a whole /64 and may use any address in it). An IPv4-mapped IPv6
 * address counts as its IPv4 address. The client address is taken as the one-network rule takes
 * it (X-Forwarded-For only with TRUST_PROXY).
 */
export function addressKey(address: string | undefined): string {
	if (!address) return 'unknown';
	const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
	if (isIP(mapped) === 4) return mapped;
	if (isIP(address) !== 6) return 'unknown';
	const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
	const left = head ? head.split(':') : [];
	const right = tail ? tail.split(':') : [];
	// A trailing dotted IPv4 part (64:ff9b::1.2.3.4) fills two groups.
	const rightGroups = right.length + (right.at(-1)?.includes('.') ? 1 : 0);
	const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right] : left;
	return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export const requestAddressKey = (req: Request, trustProxy: boolean): string => addressKey(clientAddress(req, trustProxy));

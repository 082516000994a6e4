import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * The network a client is on, as far as the relay can tell: its IPv4 /24 or IPv6 /48. Loopback
 * and unknown addresses give '' (no rule applies): on one machine every worker shares them.
 */
export function networkOf(address: string | undefined): string {
	if (!address) return '';
	const ip = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
	if (isIP(ip) === 4) return ip.startsWith('127.') ? '' : `${ip.split('.').slice(0, 3).join('.')}.0/24`;
	if (isIP(ip) === 6) {
		if (ip === '::1') return '';
		const [head = '', tail = ''] = ip.toLowerCase().split('::');
		const left = head ? head.split(':') : [];
		const right = tail ? tail.split(':') : [];
		const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
		return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
	}
	return '';
}

/** The client's address: the socket's, or with `trustProxy` the first X-Forwarded-For hop. */
export function clientAddress(req: Request, trustProxy: boolean): string | undefined {
	const forwarded = req.headers['x-forwarded-for'];
	if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0]?.trim();
	return req.socket.remoteAddress;
}

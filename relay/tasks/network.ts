import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The network a client is on, as far as the relay can tell: its public IPv4 /24 or IPv6 /48.
 * Loopback, private and link-local addresses and unknown ones give '' (no rule applies): on one
 * machine every worker shares them, and a relay reached over a LAN (a classroom on HOST=0.0.0.0)
 * sees every device on one private /24, where the rule would leave no task a second replica.
 * Nobody on the internet can send from a private address; behind a proxy, TRUST_PROXY gives
 * the public ones.
 */
export function networkOf(address: string | undefined): string {
	if (!address) return '';
	const ip = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
	if (isIP(ip) === 4) return isLocalIpv4(ip) ? '' : `${ip.split('.').slice(0, 3).join('.')}.0/24`;
	if (isIP(ip) === 6) {
		if (ip === '::1' || /^f[cd]|^fe[89ab]/i.test(ip)) return '';
		const [head = '', tail = ''] = ip.toLowerCase().split('::');
		const left = head ? head.split(':') : [];
		const right = tail ? tail.split(':') : [];
		const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
		return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
	}
	return '';
}

/** The client's address: the socket's, or with `trustProxy` the first X-Forwarded-For hop. */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string | undefined {
	const forwarded = req.headers['x-forwarded-for'];
	if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0]?.trim();
	return req.socket.remoteAddress;
}

/** Loopback (127/8), private (10/8, 172.16/12, 192.168/16) and link-local (169.254/16). */
function isLocalIpv4(ip: string): boolean {
	const [a = 0, b = 0] = ip.split('.').map(Number);
	return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

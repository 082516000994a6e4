import { networkInterfaces } from 'node:os';

/**
 * Origins this relay answers to. Signatures bind the origin, so a request signed for another
 * relay cannot be replayed here; the Host header only picks which of our own origins applies.
 */
export function allowedOrigins(publicOrigin: string | null, host: string, port: number): Set<string> {
	const origins = new Set<string>();
	if (publicOrigin) for (const o of publicOrigin.split(',')) origins.add(o.trim().replace(/\/$/, ''));
	const hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
	// Listening on all interfaces (a classroom LAN): every local address is one of ours.
	if (host === '0.0.0.0' || host === '::') {
		for (const list of Object.values(networkInterfaces())) {
			for (const a of list ?? []) hosts.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
		}
	} else {
		hosts.add(host.includes(':') ? `[${host}]` : host);
	}
	for (const h of hosts) origins.add(`http://${h}:${port}`);
	return origins;
}

/**
 * Where another device (a phone on the same network) can reach this relay: PUBLIC_ORIGIN first,
 * then, when listening on all interfaces, this machine's non-internal IPv4 addresses. Empty on
 * loopback only. At most `max`.
 */
export function shareOrigins(publicOrigin: string | null, host: string, port: number, max = 8): string[] {
	const out: string[] = [];
	if (publicOrigin) for (const o of publicOrigin.split(',')) out.push(o.trim().replace(/\/$/, ''));
	if (host === '0.0.0.0' || host === '::') {
		for (const list of Object.values(networkInterfaces())) {
			for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(`http://${a.address}:${port}`);
		}
	} else if (!/^(127\.|localhost$|::1$)/.test(host)) {
		out.push(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
	}
	return [...new Set(out)].slice(0, max);
}

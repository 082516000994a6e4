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

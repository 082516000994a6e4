// A PeerJS peer on the relay's signalling server, opened (or failed) within a bound. The
// contributor mesh and training sessions both use it; each makes its own peer.
import type { Peer } from 'peerjs';
import { PEERJS_PATH } from '$lib/protocol';

export const PEER_OPEN_MS_MAX = 15_000;

export function randomPeerId(prefix: string): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export async function openPeer(id: string): Promise<Peer> {
	const { Peer } = await import('peerjs');
	const secure = location.protocol === 'https:';
	const port = location.port ? Number(location.port) : secure ? 443 : 80;
	const peer = new Peer(id, { host: location.hostname, port, path: PEERJS_PATH, secure, key: 'peerjs', debug: 0 });
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('the signalling server did not answer in time')), PEER_OPEN_MS_MAX);
		peer.once('open', () => {
			clearTimeout(timer);
			resolve();
		});
		peer.once('error', (err) => {
			clearTimeout(timer);
			reject(new Error(`could not join the mesh: ${err.type}`));
		});
	}).catch((err: unknown) => {
		peer.destroy();
		throw err;
	});
	return peer;
}

// A PeerJS peer on the relay's signalling server, opened (or failed) within a bound. The
// contributor mesh and training sessions both use it; each makes its own peer. Its id names this
// page's key and every (re)connection carries a freshly signed token (src/lib/protocol/signalling.ts),
// so the relay can refuse anyone else using it.
import type { Peer } from 'peerjs';
import { PEERJS_KEY, PEERJS_PATH, PEER_ID_TAG_HEX_CHARS, signalPeerId } from '$lib/protocol';
import { signalToken } from '$lib/verify/signal-token';
import type { Signer } from '../relay-api/relay-client';

const PEER_OPEN_MS_MAX = 15_000;
/** Reconnects after the signalling socket drops, with backoff from 1 s up to 30 s, before giving up. */
const PEER_RECONNECTS_MAX = 8;
const RECONNECT_MS_BASE = 1_000;
const RECONNECT_MS_MAX = 30_000;

/** What signs for a peer: the relay client's key, origin and clock (a RelayClient is one). */
export interface PeerSigning {
	readonly origin: string;
	readonly signer: Signer | null;
	now(): number;
}

/** A fresh mesh id for `role` under this key. */
export function newPeerId(role: string, publicKeyHex: string): string {
	const tag = crypto.getRandomValues(new Uint8Array(PEER_ID_TAG_HEX_CHARS / 2));
	return signalPeerId(role, publicKeyHex, Array.from(tag, (b) => b.toString(16).padStart(2, '0')).join(''));
}

/** A token for `id`, signed now. */
function peerToken(id: string, signing: PeerSigning): Promise<string> {
	const signer = signing.signer;
	if (!signer) throw new Error('no key to sign the signalling connection with');
	return signalToken({ secretKey: signer.secretKey, publicKeyHex: signer.publicKeyHex, origin: signing.origin, id, now: signing.now() });
}

/** A Peer (not yet open) under `id`, with a token signed now. */
export async function createPeer(id: string, signing: PeerSigning): Promise<Peer> {
	const [{ Peer }, token] = await Promise.all([import('peerjs'), peerToken(id, signing)]);
	const secure = location.protocol === 'https:';
	const port = location.port ? Number(location.port) : secure ? 443 : 80;
	return new Peer(id, { host: location.hostname, port, path: PEERJS_PATH, secure, key: PEERJS_KEY, token, debug: 0 });
}

/** Reconnects a disconnected peer under its id with a new token (a reused one is refused as a replay). */
export async function reconnectPeer(peer: Peer, id: string, signing: PeerSigning): Promise<void> {
	const token = await peerToken(id, signing);
	if (peer.destroyed || !peer.disconnected) return;
	// PeerJS reads the token from its options on every (re)connection.
	peer.options.token = token;
	peer.reconnect();
}

/** Opens a peer under `id` and keeps its signalling connection up (bounded reconnects with backoff). */
export async function openPeer(id: string, signing: PeerSigning): Promise<Peer> {
	const peer = await createPeer(id, signing);
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
	let reconnects = 0;
	peer.on('open', () => (reconnects = 0));
	peer.on('disconnected', () => {
		if (peer.destroyed || reconnects >= PEER_RECONNECTS_MAX) return;
		const delay = Math.min(RECONNECT_MS_MAX, RECONNECT_MS_BASE * 2 ** reconnects++);
		setTimeout(() => void reconnectPeer(peer, id, signing).catch(() => undefined), delay);
	});
	return peer;
}

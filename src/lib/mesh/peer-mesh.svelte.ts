// Membership in the PeerJS mesh: a signalling connection to the relay's PeerJS server under an
// id that names the public key (src/lib/protocol/signalling.ts). Peer-to-peer data paths come
// later; for now joining, leaving, reconnecting and the status a page shows.
import type { DataConnection, Peer } from 'peerjs';
import { createPeer, newPeerId, reconnectPeer, type PeerSigning } from './peer-connect';

export type MeshState = 'offline' | 'connecting' | 'connected' | 'reconnecting' | 'error';

/** Reconnect attempts after the signalling socket drops, before giving up. */
const MESH_RECONNECTS_MAX = 5;
const RECONNECT_MS_BASE = 1_000;

export class PeerMesh {
	state = $state<MeshState>('offline');
	peerId = $state<string | null>(null);
	error = $state<string | null>(null);
	/** Open data connections from other peers. */
	connections = $state(0);

	private peer: Peer | null = null;
	private reconnects = 0;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private readonly open = new Set<DataConnection>();

	async join(signing: PeerSigning): Promise<void> {
		if (this.peer || this.state === 'connecting') return;
		if (!signing.signer) throw new Error('no key to join the mesh with');
		this.state = 'connecting';
		this.error = null;
		this.reconnects = 0;
		const id = newPeerId('mesh', signing.signer.publicKeyHex);
		const peer = await createPeer(id, signing);
		if (this.state !== 'connecting') return void peer.destroy();
		this.peer = peer;
		this.peerId = id;
		peer.on('open', () => {
			if (this.peer !== peer) return;
			this.reconnects = 0;
			this.state = 'connected';
			this.error = null;
		});
		peer.on('disconnected', () => {
			if (this.peer !== peer || peer.destroyed) return;
			if (this.reconnects >= MESH_RECONNECTS_MAX) {
				this.state = 'error';
				this.error = 'lost the signalling server';
				return;
			}
			this.state = 'reconnecting';
			const delay = RECONNECT_MS_BASE * 2 ** this.reconnects++;
			this.timer = setTimeout(() => {
				if (this.peer === peer && !peer.destroyed && peer.disconnected) void reconnectPeer(peer, id, signing).catch(() => undefined);
			}, delay);
		});
		peer.on('connection', (conn) => {
			conn.on('open', () => {
				this.open.add(conn);
				this.connections = this.open.size;
			});
			conn.on('close', () => {
				this.open.delete(conn);
				this.connections = this.open.size;
			});
		});
		peer.on('error', (err) => {
			if (this.peer !== peer) return;
			this.error = err.type === 'unavailable-id' ? 'this key is already in the mesh (another tab?)' : `${err.type}: ${err.message}`;
			if (peer.destroyed || err.type === 'unavailable-id' || err.type === 'server-error' || err.type === 'socket-error') {
				this.state = peer.disconnected && !peer.destroyed ? 'reconnecting' : 'error';
			}
		});
		peer.on('close', () => {
			if (this.peer !== peer) return;
			this.state = 'offline';
		});
	}

	leave(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const peer = this.peer;
		this.peer = null;
		peer?.destroy();
		this.open.clear();
		this.connections = 0;
		this.state = 'offline';
		this.peerId = null;
		this.error = null;
	}
}

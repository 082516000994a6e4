// One message channel between two mesh pages, whichever way it travels: a PeerJS data channel
// (direct) or the relay's mailboxes (when WebRTC finds no path). Training sessions speak
// through this, so host and peer code is the same for both.
import type { DataConnection } from 'peerjs';

export type LinkVia = 'direct' | 'relay';

export interface MeshLink {
	/** The other page's mesh id (authenticated: PeerJS signalling or the relay's mailbox owner check). */
	readonly peer: string;
	readonly via: LinkVia;
	readonly open: boolean;
	send(data: unknown): void;
	close(): void;
	on(event: 'open' | 'close', listener: () => void): void;
	on(event: 'data', listener: (data: unknown) => void): void;
}

/** A PeerJS data connection as a link. */
export function directLink(conn: DataConnection): MeshLink {
	return {
		get peer() {
			return conn.peer;
		},
		via: 'direct',
		get open() {
			return conn.open;
		},
		send: (data) => void conn.send(data),
		close: () => conn.close(),
		on(event: 'open' | 'close' | 'data', listener: (data?: unknown) => void) {
			if (event === 'data') conn.on('data', listener);
			else if (event === 'open') conn.on('open', () => listener());
			else {
				// A data channel error ends the link as far as we are concerned: one close, either way.
				let done = false;
				const once = () => void (done || ((done = true), listener()));
				conn.on('close', once);
				conn.on('error', once);
			}
		}
	};
}
